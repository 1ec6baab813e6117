package io.nanofleet.ota.metadata;

import java.util.LinkedHashMap;
import java.util.Map;

/** Typed view of root metadata: the keys and the role-to-keys mapping everything else is checked against. */
public final class Root {
    public static final String TYPE = "root";
    /** NanoFleet roles live under this extension field so that standard TUF clients still accept the root. */
    public static final String NANOFLEET_ROLES = "x-nanofleet-roles";
    public static final String DIRECTOR_ROLE = "director";

    private final Metadata md;
    private final Map<String, Object> keys;
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final Map<String, Role> nanofleetRoles = new LinkedHashMap<>();
    private final boolean consistentSnapshot;

    public Root(Metadata md) throws TufException.FormatException {
        if (!TYPE.equals(md.type())) {
            throw new TufException.FormatException("expected root metadata, got " + md.type());
        }
        this.md = md;
        Map<String, Object> s = md.signed();
        this.keys = Fields.obj(s, "keys", "root");
        for (Object k : keys.values()) {
            if (!(k instanceof Map)) {
                throw new TufException.FormatException("root.keys entries must be objects");
            }
        }
        Map<String, Object> r = Fields.obj(s, "roles", "root");
        for (String name : new String[] {"root", "targets", "snapshot", "timestamp"}) {
            if (!(r.get(name) instanceof Map)) {
                throw new TufException.FormatException("root.roles." + name + " missing");
            }
            roles.put(name, Role.parse((Map<?, ?>) r.get(name), "root.roles." + name));
        }
        this.consistentSnapshot = Fields.bool(s, "consistent_snapshot", false, "root");
        if (s.get(NANOFLEET_ROLES) instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) s.get(NANOFLEET_ROLES)).entrySet()) {
                if (!(e.getValue() instanceof Map)) {
                    throw new TufException.FormatException("root." + NANOFLEET_ROLES + "." + e.getKey() + " must be an object");
                }
                nanofleetRoles.put((String) e.getKey(), Role.parse((Map<?, ?>) e.getValue(), NANOFLEET_ROLES + "." + e.getKey()));
            }
        }
    }

    public Metadata metadata() {
        return md;
    }

    public long version() {
        return md.version();
    }

    public Map<String, Object> keys() {
        return keys;
    }

    public Role role(String name) {
        return roles.get(name);
    }

    /** A NanoFleet-specific role (e.g. {@link #DIRECTOR_ROLE}), or null when root names none. */
    public Role nanofleetRole(String name) {
        return nanofleetRoles.get(name);
    }

    public boolean consistentSnapshot() {
        return consistentSnapshot;
    }

    /** Checks that {@code other} is signed by a threshold of this root's {@code roleName} keys. */
    public void verify(String roleName, Metadata other) throws TufException.SignatureException {
        other.verifyThreshold(roleName, roles.get(roleName), keys);
    }
}
