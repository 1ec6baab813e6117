package io.nanofleet.ota.repo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** NanoFleet's target kinds and the custom fields every NanoFleet target carries. */
public enum TargetKind {
    ANOMALY_MODEL("anomaly-model"),
    COMMAND_MODEL("command-model"),
    AGENT("agent");

    public final String wireName;

    TargetKind(String wireName) {
        this.wireName = wireName;
    }

    public static TargetKind fromWire(String s) {
        for (TargetKind k : values()) {
            if (k.wireName.equals(s.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind '" + s + "' (use anomaly-model, command-model or agent)");
    }

    /** {"kind", "hardwareIds", "releaseCounter"} as written into the target's "custom" object. */
    public Map<String, Object> custom(List<String> hardwareIds, long releaseCounter) {
        if (hardwareIds.isEmpty()) {
            throw new IllegalArgumentException("at least one hardware id is required");
        }
        if (releaseCounter < 0) {
            throw new IllegalArgumentException("release counter must be >= 0");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", wireName);
        m.put("hardwareIds", List.copyOf(hardwareIds));
        m.put("releaseCounter", releaseCounter);
        return m;
    }
}
