package io.nanofleet.anomaly.eval;

/** One experiment file's outcome under the protocol. */
public record FileResult(String name, int predictedRows, Confusion int8, Confusion floatTwin, double trainMillis) {
}
