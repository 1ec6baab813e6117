package io.nanofleet.anomaly.eval;

import java.util.List;

/** One predicted anomaly event of the int8 detector: rows [startRow, endRow) of a file and the channels behind it. */
public record AnomalyEvent(String file, int startRow, int endRow, String startTime, List<String> topChannels, double peakScore) {
}
