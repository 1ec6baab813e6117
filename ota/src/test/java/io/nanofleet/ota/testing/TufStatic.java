package io.nanofleet.ota.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The interop repositories: $NANOFLEET_DATA/tuf-static if set, else ../../shared/data/tuf-static from the module. */
public final class TufStatic {
    private TufStatic() {
    }

    public static Path dir() {
        String env = System.getenv("NANOFLEET_DATA");
        Path p = env != null ? Path.of(env, "tuf-static")
                : Path.of("").toAbsolutePath().resolve("../../shared/data/tuf-static").normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("TUF interop data not found at " + p + "; set NANOFLEET_DATA=/path/to/shared/data");
        }
        return p;
    }
}
