package io.nanofleet.anomaly.eval;

/** Point-wise confusion counts and the SKAB metrics over them (anomaly = positive class). */
public final class Confusion {
    private long tp;
    private long fp;
    private long fn;
    private long tn;

    public void add(boolean predicted, boolean actual) {
        if (predicted) {
            if (actual) {
                tp++;
            } else {
                fp++;
            }
        } else if (actual) {
            fn++;
        } else {
            tn++;
        }
    }

    public void addAll(Confusion o) {
        tp += o.tp;
        fp += o.fp;
        fn += o.fn;
        tn += o.tn;
    }

    public long total() {
        return tp + fp + fn + tn;
    }

    /** 2TP / (2TP + FP + FN); NaN when there is neither a positive label nor a positive prediction. */
    public double f1() {
        long d = 2 * tp + fp + fn;
        return d == 0 ? Double.NaN : 2.0 * tp / d;
    }

    /** False-alarm rate: FP / (FP + TN), the share of normal rows flagged. */
    public double far() {
        long d = fp + tn;
        return d == 0 ? Double.NaN : (double) fp / d;
    }

    /** Missed-alarm rate: FN / (FN + TP), the share of anomalous rows not flagged. */
    public double mar() {
        long d = fn + tp;
        return d == 0 ? Double.NaN : (double) fn / d;
    }

    public long tp() {
        return tp;
    }

    public long fp() {
        return fp;
    }

    public long fn() {
        return fn;
    }

    public long tn() {
        return tn;
    }
}
