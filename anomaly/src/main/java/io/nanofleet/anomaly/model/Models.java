package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.skab.SkabCsvReader;
import io.nanofleet.anomaly.skab.SkabRecording;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The model choices of the two protocols, in one place. */
public final class Models {
    /** Components of the on-device (strict) autoencoder's bottleneck. */
    public static final int STRICT_COMPONENTS = 4;
    /** Components of the fleet base model's bottleneck. */
    public static final int FLEET_COMPONENTS = 2;

    private Models() {
    }

    /** Seed of every training run, so that results and model bytes are reproducible. */
    public static final long SEED = 42;
    /** Adam epochs after the PCA initialisation. */
    public static final int EPOCHS = 20;

    public static ModelProvider strict(DetectorConfig config) {
        return new StrictProvider(new AutoencoderTrainer(STRICT_COMPONENTS, SEED, EPOCHS, true));
    }

    public static ModelProvider fleet(DetectorConfig config, Path modelFile, Path dataDir) throws IOException {
        if (modelFile != null) {
            return new FixedProvider(FleetModel.load(modelFile));
        }
        return new FixedProvider(FleetModel.train(anomalyFree(dataDir), config).pair());
    }

    /** Every csv under an anomaly-free folder below {@code dir}. */
    public static List<float[][]> anomalyFree(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".csv"))
                    .filter(p -> dir.relativize(p).toString().replace('\\', '/').contains("anomaly-free"))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("the fleet protocol needs a base model: pass --model FILE (from 'train'), "
                    + "or put SKAB's anomaly-free/anomaly-free.csv under " + dir);
        }
        List<float[][]> out = new ArrayList<>();
        for (Path f : files) {
            SkabRecording r = SkabCsvReader.read(f, f.getFileName().toString());
            out.add(r.rows(0, r.rows()));
        }
        return out;
    }
}
