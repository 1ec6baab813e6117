package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's demo exactly as a newcomer does ({@code java -jar target/nanofleet-demo.jar}, built by
 * the package phase before Failsafe runs) and checks the API shows 20 online devices, then stops it
 * with SIGTERM like Ctrl+C would.
 */
class DemoIT {
    static final Pattern DASHBOARD = Pattern.compile("Dashboard:\\s+http://localhost:(\\d+)/");

    @TempDir
    Path dataDir;

    @Test
    void demoJarShowsTwentyOnlineDevices() throws Exception {
        Path jar = Path.of("target/nanofleet-demo.jar");
        assertTrue(Files.isRegularFile(jar), "the package phase should have built " + jar.toAbsolutePath());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // --http-port 0: port 8080 may be in use on a CI machine; the default-port fallback is the demo's own logic.
        // Output goes to a file: a thread reading the process pipe loses the last lines when the process
        // exits (the JDK closes the pipe under it), and the last lines are what shutdown prints.
        Path log = dataDir.resolve("demo.log");
        Process demo = new ProcessBuilder(java, "-jar", jar.toString(), "--http-port", "0", "--data-dir", dataDir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int httpPort = awaitPort(demo, log);
            HttpClient http = HttpClient.newHttpClient();
            // The API needs a bearer token: the demo writes its bootstrap admin token into its data dir.
            String token = Files.readString(dataDir.resolve("admin-token")).trim();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String body = "";
            while (System.nanoTime() < deadline) {
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/devices"))
                                .header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"online\":20")) {
                    break;
                }
                Thread.sleep(250);
            }
            assertTrue(body.contains("\"count\":20"), body);
            assertTrue(body.contains("\"online\":20"), body);
            String page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(page.contains("NanoFleet fleet"), "dashboard page is served");
        } finally {
            demo.destroy(); // SIGTERM, as Ctrl+C / systemd stop would send
            boolean exited = demo.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                demo.destroyForcibly();
            }
            assertTrue(exited, "demo did not stop within 30 s of SIGTERM; output:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertTrue(output.contains("Stopping NanoFleet demo"), output);
        assertFalse(output.contains("Exception"), output);
    }

    private static int awaitPort(Process demo, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline && demo.isAlive()) {
            Matcher m = DASHBOARD.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(200);
        }
        fail("demo never printed its dashboard URL; output:\n" + Files.readString(log));
        return -1;
    }
}
