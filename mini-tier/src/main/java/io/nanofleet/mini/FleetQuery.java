package io.nanofleet.mini;

import io.nanofleet.intents.data.Utterance;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The slots of a fleet question. Every field may be empty: which ones an intent needs is
 * {@link FleetIntent#required()}.
 *
 * @param deviceIds        device ids named in the question, in order (known ones when the parser was given a set)
 * @param unknownDeviceIds words shaped like device ids that are not in the parser's set of known ids (empty
 *                         when it has none), so a caller can say "no such device" instead of guessing
 * @param group            a group name ({@code group berlin}, {@code in plant-a}), or null
 * @param timeRange        the interval asked about, or null (the caller picks its default window)
 * @param modelVersion     a model version ({@code v2.3}, {@code 1.4.0}), or null
 * @param rolloutId        a rollout id ({@code rollout 42}, {@code rollout r-17}), or null
 */
public record FleetQuery(List<String> deviceIds, List<String> unknownDeviceIds, String group, TimeRange timeRange,
                         String modelVersion, String rolloutId) {
    public static final FleetQuery EMPTY = new FleetQuery(List.of(), List.of(), null, null, null, null);

    public FleetQuery {
        deviceIds = List.copyOf(deviceIds);
        unknownDeviceIds = List.copyOf(unknownDeviceIds);
    }

    /** The slots in the annotation's terms ({@code device_id}, {@code group}, {@code time_range} as its words, ...). */
    public List<Utterance.Slot> slots() {
        List<Utterance.Slot> s = new ArrayList<>();
        for (String d : deviceIds) {
            s.add(new Utterance.Slot(FleetIntent.DEVICE_ID, d));
        }
        if (group != null) {
            s.add(new Utterance.Slot(FleetIntent.GROUP, group));
        }
        if (timeRange != null) {
            s.add(new Utterance.Slot(FleetIntent.TIME_RANGE, timeRange.text()));
        }
        if (modelVersion != null) {
            s.add(new Utterance.Slot(FleetIntent.MODEL_VERSION, modelVersion));
        }
        if (rolloutId != null) {
            s.add(new Utterance.Slot(FleetIntent.ROLLOUT_ID, rolloutId));
        }
        return s;
    }

    /** Whether a slot of this type was found. */
    public boolean has(String type) {
        return switch (type) {
            case FleetIntent.DEVICE_ID -> !deviceIds.isEmpty();
            case FleetIntent.GROUP -> group != null;
            case FleetIntent.TIME_RANGE -> timeRange != null;
            case FleetIntent.MODEL_VERSION -> modelVersion != null;
            case FleetIntent.ROLLOUT_ID -> rolloutId != null;
            default -> false;
        };
    }

    /** This query with only the slot types {@code intent} uses; the others are dropped. */
    public FleetQuery forIntent(FleetIntent intent) {
        Objects.requireNonNull(intent, "intent");
        var t = intent.slotTypes();
        return new FleetQuery(t.contains(FleetIntent.DEVICE_ID) ? deviceIds : List.of(),
                t.contains(FleetIntent.DEVICE_ID) ? unknownDeviceIds : List.of(),
                t.contains(FleetIntent.GROUP) ? group : null,
                t.contains(FleetIntent.TIME_RANGE) ? timeRange : null,
                t.contains(FleetIntent.MODEL_VERSION) ? modelVersion : null,
                t.contains(FleetIntent.ROLLOUT_ID) ? rolloutId : null);
    }
}
