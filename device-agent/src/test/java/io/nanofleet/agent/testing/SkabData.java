package io.nanofleet.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared SKAB data is: {@code NANOFLEET_DATA}, else {@code ../../shared/data} from the module. */
public final class SkabData {
    private SkabData() {}

    public static Path root() {
        String env = System.getenv("NANOFLEET_DATA");
        Path p = env != null ? Path.of(env) : Path.of("").toAbsolutePath().resolve("../../shared/data").normalize();
        return p.resolve("skab-dev");
    }

    public static Path valve1(int file) {
        return root().resolve("valve1").resolve(file + ".csv");
    }

    public static boolean available() {
        return Files.isRegularFile(valve1(1));
    }

    public static String missing() {
        return "SKAB data not found at " + root() + "; set NANOFLEET_DATA=/path/to/shared/data";
    }
}
