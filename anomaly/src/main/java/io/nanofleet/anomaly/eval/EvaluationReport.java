package io.nanofleet.anomaly.eval;

import java.util.List;

/** Per-file results plus the pooled figures the final line of {@code eval skab} prints. */
public record EvaluationReport(String protocol, List<FileResult> files, Confusion int8, Confusion floatTwin,
                               int modelBytes, double medianUpdateMicros, double medianTrainMillis,
                               double maxTrainMillis) {

    /** The fixed, machine-readable last line. */
    public String overallLine() {
        return String.format(java.util.Locale.ROOT,
                "overall protocol=%s int8_f1=%.4f int8_far=%.4f int8_mar=%.4f float_f1=%.4f model_bytes=%d update_us=%.3f",
                protocol, int8.f1(), int8.far(), int8.mar(), floatTwin.f1(), modelBytes, medianUpdateMicros);
    }
}
