package io.nanofleet.mini;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The questions the fleet server can answer from its own data (scenario {@code fleet}), with the slot
 * types each one reads and the ones it cannot do without.
 */
public enum FleetIntent {
    /** Which devices are offline or not reporting; optionally in a group, since a time, or one device. */
    OFFLINE_DEVICES("fleet_offline_devices", Set.of(FleetIntent.GROUP, FleetIntent.TIME_RANGE, FleetIntent.DEVICE_ID), Set.of()),
    /** Which model (version) a named device runs. */
    DEVICE_MODEL("fleet_device_model", Set.of(FleetIntent.DEVICE_ID, FleetIntent.MODEL_VERSION), Set.of(FleetIntent.DEVICE_ID)),
    /** Anomalies of a device, a group or the whole fleet, in a time range. */
    ANOMALIES("fleet_anomalies", Set.of(FleetIntent.DEVICE_ID, FleetIntent.GROUP, FleetIntent.TIME_RANGE), Set.of()),
    /** A named device's last summary (latest readings). */
    LAST_SUMMARY("fleet_last_summary", Set.of(FleetIntent.DEVICE_ID), Set.of(FleetIntent.DEVICE_ID)),
    /** The status of the current rollout, or of one by id or model version. */
    ROLLOUT_STATUS("fleet_rollout_status", Set.of(FleetIntent.ROLLOUT_ID, FleetIntent.MODEL_VERSION, FleetIntent.GROUP), Set.of());

    public static final String SCENARIO = "fleet";
    public static final String DEVICE_ID = "device_id";
    public static final String GROUP = "group";
    public static final String TIME_RANGE = "time_range";
    public static final String MODEL_VERSION = "model_version";
    public static final String ROLLOUT_ID = "rollout_id";

    private final String label;
    private final Set<String> slotTypes;
    private final Set<String> required;

    FleetIntent(String label, Set<String> slotTypes, Set<String> required) {
        this.label = label;
        this.slotTypes = slotTypes;
        this.required = required;
    }

    /** The intent label in the data ({@code fleet_anomalies}). */
    public String label() {
        return label;
    }

    /** Slot types this intent reads; the parser's other findings are dropped for it. */
    public Set<String> slotTypes() {
        return slotTypes;
    }

    /** Slot types without which the question cannot be answered from fleet data. */
    public Set<String> required() {
        return required;
    }

    public static Optional<FleetIntent> of(String label) {
        return Arrays.stream(values()).filter(i -> i.label.equals(label)).findFirst();
    }
}
