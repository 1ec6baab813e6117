package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelFile;
import io.nanofleet.runtime.ModelFormatException;
import io.nanofleet.runtime.ModelMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The detector's model in tiny-model-runtime's file format: the autoencoder graph plus, in the metadata, the
 * channel names, the scaler ({@code mean}, {@code std}), the per-channel {@code residual_scale}, the threshold
 * and the global detector settings it was calibrated with. A device that receives this file recalibrates the
 * scaler, residual scale and threshold on its own first normal rows; the stored values are those of the
 * training data and serve until then.
 */
public final class DetectorModelFile {
    public static final String KIND = "anomaly-autoencoder";

    private DetectorModelFile() {
    }

    /** What a detector model file holds. */
    public record Loaded(Model model, List<String> channels, Calibration calibration, DetectorConfig config) {
    }

    public static ModelMetadata metadata(List<String> channels, Calibration cal, DetectorConfig cfg) {
        return ModelMetadata.builder().kind(KIND).channels(channels).windowLength(cfg.window())
                .scaler("mean", cal.mean()).scaler("std", cal.std()).scaler("residual_scale", cal.residualScale())
                .property("threshold", Double.toString(cal.threshold()))
                .property("baseline_tau", Double.toString(cfg.baselineTau()))
                .property("freeze_z", Double.toString(cfg.freezeZ()))
                .property("quantile", Double.toString(cfg.quantile()))
                .property("threshold_factor", Double.toString(cfg.thresholdFactor()))
                .property("release_ratio", Double.toString(cfg.releaseRatio()))
                .property("calibration_rows", Integer.toString(cfg.calibrationRows()))
                .build();
    }

    public static byte[] toBytes(Model model, List<String> channels, Calibration cal, DetectorConfig cfg) {
        return ModelFile.toBytes(model.withMetadata(metadata(channels, cal, cfg)));
    }

    public static void write(Path path, Model model, List<String> channels, Calibration cal, DetectorConfig cfg) throws IOException {
        ModelFile.write(model.withMetadata(metadata(channels, cal, cfg)), path);
    }

    /** Reads and checks a detector model file; a file that is not one fails with a message saying what is wrong. */
    public static Loaded read(Path path) throws IOException {
        Model m = ModelFile.read(path);
        ModelMetadata md = m.metadata();
        if (!KIND.equals(md.kind())) {
            throw new ModelFormatException(path + " is a '" + md.kind() + "' model, not an " + KIND + " (write one with 'nanofleet-model train')");
        }
        try {
            DetectorConfig cfg = new DetectorConfig(md.windowLength(), number(md, "baseline_tau"), number(md, "freeze_z"),
                    number(md, "quantile"), number(md, "threshold_factor"), number(md, "release_ratio"),
                    (int) number(md, "calibration_rows"));
            Calibration cal = new Calibration(scaler(md, "mean"), scaler(md, "std"), scaler(md, "residual_scale"),
                    number(md, "threshold"));
            if (m.inputSize() != cal.channels() || md.channels().size() != cal.channels()) {
                throw new IllegalArgumentException("model input has " + m.inputSize() + " values but the metadata describes "
                        + cal.channels() + " channels");
            }
            return new Loaded(m, md.channels(), cal, cfg);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path + ": invalid detector metadata: " + e.getMessage());
        }
    }

    private static double number(ModelMetadata md, String key) {
        String v = md.property(key);
        if (v == null) {
            throw new IllegalArgumentException("missing property '" + key + "'");
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "property '%s' is not a number: '%s'", key, v));
        }
    }

    private static float[] scaler(ModelMetadata md, String name) {
        float[] v = md.scaler(name);
        if (v == null) {
            throw new IllegalArgumentException("missing scaler '" + name + "'");
        }
        return v;
    }
}
