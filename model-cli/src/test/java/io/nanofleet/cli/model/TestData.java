package io.nanofleet.cli.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared data folder the way anomaly's tests do (a copy of anomaly's test-only {@code TestData}, which
 * this module cannot see): $NANOFLEET_DATA if set, else the first {@code shared/data} found walking up from the
 * working directory (the module dir under Maven, so ../../shared/data relative to it).
 */
final class TestData {
    private TestData() {
    }

    static Path dataRoot() {
        String env = System.getenv("NANOFLEET_DATA");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isDirectory(p) ? p : null;
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared").resolve("data");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** The skab-dev folder, or the calling test is skipped with a message saying how to provide it. */
    static Path skabDev() {
        Path root = dataRoot();
        Path dir = root == null ? null : root.resolve("skab-dev");
        assumeTrue(dir != null && Files.isDirectory(dir.resolve("valve1")),
                "SKAB data not found (looked for shared/data/skab-dev above " + Path.of("").toAbsolutePath()
                        + " and in $NANOFLEET_DATA): skipping. Set NANOFLEET_DATA=/path/to/shared/data to run it.");
        return dir;
    }
}
