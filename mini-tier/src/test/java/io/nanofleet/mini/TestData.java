package io.nanofleet.mini;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared data folder the way anomaly's and model-cli's tests do: $NANOFLEET_DATA if set, else the
 * first {@code shared/data} found walking up from the working directory (the module dir under Maven).
 */
public final class TestData {
    private TestData() {
    }

    public static Path dataRoot() {
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

    /** A file under the shared data folder, or the calling test is skipped with a message saying how to provide it. */
    public static Path require(String relative) {
        Path root = dataRoot();
        Path file = root == null ? null : root.resolve(relative);
        assumeTrue(file != null && Files.isRegularFile(file),
                "shared data not found (looked for shared/data/" + relative + " above " + Path.of("").toAbsolutePath()
                        + " and in $NANOFLEET_DATA): skipping. Set NANOFLEET_DATA=/path/to/shared/data to run it.");
        return file;
    }
}
