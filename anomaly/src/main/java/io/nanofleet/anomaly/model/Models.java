package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.detect.LinearReconstructor;
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
    public static final int FLEET_COMPONENTS = 1;

    private Models() {
    }

    public static ModelProvider strict(DetectorConfig config) {
        return new PcaStrictProvider(STRICT_COMPONENTS);
    }

    public static ModelProvider fleet(DetectorConfig config, Path modelFile, Path dataDir) throws IOException {
        if (modelFile != null) {
            throw new IllegalArgumentException("loading --model needs the int8 runtime backend");
        }
        List<float[][]> normal = anomalyFree(dataDir);
        float[][] vectors = FleetTrainingSet.vectors(normal, config);
        LinearReconstructor pca = LinearReconstructor.fit(vectors, FLEET_COMPONENTS);
        return new FixedProvider(new ModelPair(null, pca, 0, "float linear autoencoder k=" + FLEET_COMPONENTS));
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
