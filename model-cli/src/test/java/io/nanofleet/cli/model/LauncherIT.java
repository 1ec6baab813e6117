package io.nanofleet.cli.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** Runs the packaged launcher (target/nanofleet-model.jar) as a child JVM, as a user would. */
class LauncherIT {
    static final Path JAR = Path.of("target", "nanofleet-model.jar");

    record Result(int code, String out, String err) {
    }

    static Result launch(String... args) throws IOException, InterruptedException {
        return launch(120, args);
    }

    static Result launch(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("nfm", ".out");
        Path err = Files.createTempFile("nfm", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "launcher did not finish in " + timeoutSeconds + " s");
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void helpAndUsageErrors() throws Exception {
        assertTrue(Files.exists(JAR), "package must have built " + JAR.toAbsolutePath());
        Result help = launch("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("eval") && help.out().contains("train"), help.out());
        assertEquals(2, launch("eval", "skab", "--protocol", "strict").code());
    }

    @Test
    void evalSkabStrictEndsWithTheOverallLine() throws Exception {
        Path dev = TestData.skabDev();
        Result r = launch("eval", "skab", "--data", dev.toString(), "--protocol", "strict");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        Matcher m = NanofleetModelTest.OVERALL.matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), lines[lines.length - 1]);
        assertEquals(16 + 3, lines.length, "header, 16 files, float-twin summary, overall line:\n" + r.out());
    }
}
