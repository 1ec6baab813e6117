package io.nanofleet.ota.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Typed view of targets metadata (top-level or delegated): target files plus delegations. */
public final class Targets {
    public static final String TYPE = "targets";
    private final Metadata md;
    private final Map<String, TargetFile> targets = new LinkedHashMap<>();
    private final Map<String, Object> delegationKeys;
    private final List<DelegatedRole> delegatedRoles = new ArrayList<>();

    public Targets(Metadata md) throws TufException.FormatException {
        if (!TYPE.equals(md.type())) {
            throw new TufException.FormatException("expected targets metadata, got " + md.type());
        }
        this.md = md;
        for (Map.Entry<String, Object> e : Fields.obj(md.signed(), "targets", "targets").entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                throw new TufException.FormatException("targets." + e.getKey() + " must be an object");
            }
            targets.put(e.getKey(), TargetFile.parse(e.getKey(), (Map<?, ?>) e.getValue()));
        }
        if (md.signed().containsKey("delegations")) {
            Map<String, Object> d = Fields.obj(md.signed(), "delegations", "targets");
            this.delegationKeys = Fields.obj(d, "keys", "delegations");
            if (d.containsKey("succinct_roles")) {
                throw new TufException.FormatException("succinct hash delegations are not supported");
            }
            for (Object r : Fields.list(d, "roles", "delegations")) {
                if (!(r instanceof Map)) {
                    throw new TufException.FormatException("delegations.roles entries must be objects");
                }
                DelegatedRole role = DelegatedRole.parse((Map<?, ?>) r);
                for (DelegatedRole seen : delegatedRoles) {
                    if (seen.name().equals(role.name())) {
                        throw new TufException.FormatException("delegated role " + role.name() + " listed twice");
                    }
                }
                delegatedRoles.add(role);
            }
        } else {
            this.delegationKeys = Collections.emptyMap();
        }
    }

    public Metadata metadata() {
        return md;
    }

    public long version() {
        return md.version();
    }

    public Map<String, TargetFile> targets() {
        return targets;
    }

    public List<DelegatedRole> delegatedRoles() {
        return delegatedRoles;
    }

    /** Verifies that {@code child} is signed by a threshold of the keys this metadata delegates to it. */
    public void verifyDelegate(DelegatedRole role, Metadata child) throws TufException.SignatureException {
        child.verifyThreshold(role.name(), role.role(), delegationKeys);
    }
}
