package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Calibrator;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.runtime.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The fleet base model: trained once on normal data from other machines ({@link FleetTrainingSet}), shipped as
 * an int8 model file, calibrated on each device. The float twin is written next to it
 * ({@code name.float.nfm}) so that evaluations can report both.
 */
public final class FleetModel {
    private FleetModel() {
    }

    /** A trained fleet model plus the calibration of the first training recording (the file's defaults). */
    public record Trained(ModelPair pair, Calibration defaultCalibration, AutoencoderTrainer.Trained training) {
    }

    public static Trained train(List<float[][]> normalRecordings, DetectorConfig config) {
        return train(normalRecordings, config, Models.FLEET_COMPONENTS, Models.SEED, Models.EPOCHS);
    }

    public static Trained train(List<float[][]> normalRecordings, DetectorConfig config, int components, long seed, int epochs) {
        float[][] vectors = FleetTrainingSet.vectors(normalRecordings, config);
        AutoencoderTrainer.Trained t = new AutoencoderTrainer(components, seed, epochs, true).train(vectors);
        ModelPair pair = new ModelPair(t.int8Model(), t.floatModel(), "fleet linear autoencoder");
        Calibrator calibrator = new Calibrator(config);
        Calibration cal = calibrator.calibrate(calibrator.prepare(normalRecordings.get(0)), pair.int8());
        return new Trained(pair, cal, t);
    }

    /** Writes {@code path} (int8, what devices get) and its float twin next to it. */
    public static void write(Trained t, Path path, List<String> channels, DetectorConfig config) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        DetectorModelFile.write(path, t.pair().int8Model(), channels, t.defaultCalibration(), config);
        DetectorModelFile.write(floatTwinPath(path), t.pair().floatModel(), channels, t.defaultCalibration(), config);
    }

    public static ModelPair load(Path path) throws IOException {
        DetectorModelFile.Loaded int8 = DetectorModelFile.read(path);
        if (!int8.model().isQuantized()) {
            throw new io.nanofleet.runtime.ModelFormatException(path + " holds a float model; pass the int8 file written by 'train'");
        }
        Path twin = floatTwinPath(path);
        if (!Files.exists(twin)) {
            throw new java.nio.file.NoSuchFileException(twin.toString(), null,
                    "the float twin written by 'train' next to the int8 model is missing; re-run 'nanofleet-model train'");
        }
        return new ModelPair(int8.model(), ModelFile.read(twin), "fleet linear autoencoder from " + path.getFileName());
    }

    /** {@code model.nfm} -> {@code model.float.nfm}. */
    public static Path floatTwinPath(Path path) {
        String name = path.getFileName().toString();
        String stem = name.endsWith(".nfm") ? name.substring(0, name.length() - 4) : name;
        return path.resolveSibling(stem + ".float.nfm");
    }
}
