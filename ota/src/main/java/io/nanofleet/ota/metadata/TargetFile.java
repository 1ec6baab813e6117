package io.nanofleet.ota.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One target as targets metadata describes it, with NanoFleet's custom fields: {@code kind}
 * (anomaly-model, command-model, agent), {@code hardwareIds} and {@code releaseCounter}.
 */
public final class TargetFile {
    private final String name;
    private final long length;
    private final Map<String, String> hashes;
    private final Map<String, Object> custom;

    public TargetFile(String name, long length, Map<String, String> hashes, Map<String, Object> custom) {
        this.name = name;
        this.length = length;
        this.hashes = hashes;
        this.custom = custom == null ? Collections.emptyMap() : custom;
    }

    static TargetFile parse(String name, Map<?, ?> m) throws TufException.FormatException {
        String where = "targets." + name;
        long len = Fields.nonNegative(m, "length", where);
        Map<String, String> h = Hashes.parse(Fields.obj(m, "hashes", where), where);
        Map<String, Object> custom = m.containsKey("custom") ? Fields.obj(m, "custom", where) : null;
        return new TargetFile(name, len, h, custom);
    }

    public String name() {
        return name;
    }

    public long length() {
        return length;
    }

    public Map<String, String> hashes() {
        return hashes;
    }

    public Map<String, Object> custom() {
        return custom;
    }

    /** NanoFleet kind, or null when this is not a NanoFleet target. */
    public String kind() {
        Object k = custom.get("kind");
        return k instanceof String ? (String) k : null;
    }

    public List<String> hardwareIds() {
        List<String> out = new ArrayList<>();
        if (custom.get("hardwareIds") instanceof List) {
            for (Object o : (List<?>) custom.get("hardwareIds")) {
                if (o instanceof String) {
                    out.add((String) o);
                }
            }
        }
        return out;
    }

    /** Release counter, or -1 when absent (such a target can never satisfy NanoFleet's anti-rollback check). */
    public long releaseCounter() {
        Object c = custom.get("releaseCounter");
        return c instanceof Long ? (Long) c : -1;
    }

    /** The hash in consistent-snapshot target file names: the first listed, as python-tuf chooses it. */
    public String fileNameHash() {
        return hashes.values().iterator().next();
    }

    /**
     * Where this target lives in a repository with consistent snapshots (TUF 1.0 section 5.7.3): its
     * name with {@link #fileNameHash()} prefixed to the last path segment.
     */
    public String consistentName() {
        return consistentName(name, fileNameHash());
    }

    /**
     * The consistent-snapshot file name rule, the one place it is written down: {@code hash + "."} goes
     * before the last path segment, so {@code models/a.nfm} becomes {@code models/<hash>.a.nfm} and
     * {@code a.nfm} becomes {@code <hash>.a.nfm}.
     */
    public static String consistentName(String name, String hash) {
        int slash = name.lastIndexOf('/');
        return name.substring(0, slash + 1) + hash + "." + name.substring(slash + 1);
    }
}
