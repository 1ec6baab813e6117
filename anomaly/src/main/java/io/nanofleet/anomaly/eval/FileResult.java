package io.nanofleet.anomaly.eval;

import java.util.List;

/** One experiment file's outcome under the protocol, with the int8 detector's events. */
public record FileResult(String name, int predictedRows, Confusion int8, Confusion floatTwin, double trainMillis,
                         List<AnomalyEvent> events) {
}
