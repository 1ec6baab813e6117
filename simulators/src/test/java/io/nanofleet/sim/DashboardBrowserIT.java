package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.server.FleetServer;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.server.store.DeviceRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: headless Chromium loads the page, runs its script against the live
 * API, and the rendered DOM must list every simulated device as online. Chromium comes from Debian's
 * package (.ci/run installs it); NANOFLEET_CHROMIUM overrides the path.
 */
class DashboardBrowserIT {
    static final Pattern ROW = Pattern.compile("<tr data-device=\"(sim-\\d+)\"><td>[^<]*</td><td class=\"(on|off)\">");

    @TempDir
    Path dir;

    static Path chromium() {
        String override = System.getenv("NANOFLEET_CHROMIUM");
        Path p = Path.of(override != null ? override : "/usr/bin/chromium");
        return Files.isExecutable(p) ? p : null;
    }

    @Test
    void dashboardRendersEveryDeviceOnline() throws Exception {
        Path browser = chromium();
        assumeTrue(browser != null, "skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set NANOFLEET_CHROMIUM)");
        try (FleetServer server = new FleetServer(ServerConfig.builder().httpHost("127.0.0.1").httpPort(0).mqttsPort(0).coapPort(0)
                .mqttHost("127.0.0.1").mqttPort(0).dataDir(dir.resolve("server")).build()).start();
             Fleet fleet = new Fleet(new Fleet.Spec(server.brokerUri(), 5, "sim-", 200, 1000))) {
            fleet.start(n -> { });
            long deadline = System.currentTimeMillis() + 30_000;
            while (server.store().devices().stream().filter(DeviceRow::online).count() < 5
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            // The API needs a token; the dashboard takes it from the URL fragment (never sent to the server).
            String url = "http://127.0.0.1:" + server.httpPort() + "/#token=" + server.adminToken();
            String dom = run(browser, "--dump-dom", url);
            Matcher m = ROW.matcher(dom);
            List<String> online = new ArrayList<>();
            while (m.find()) {
                assertEquals("on", m.group(2), m.group(1) + " shown offline:\n" + dom);
                online.add(m.group(1));
            }
            assertEquals(List.of("sim-0001", "sim-0002", "sim-0003", "sim-0004", "sim-0005"), online, dom);
            assertTrue(dom.contains("5 of 5 devices online"), dom);
            // A screenshot for people (target/dashboard.png); the DOM above is what is asserted.
            run(browser, "--screenshot=" + Path.of("target/dashboard.png").toAbsolutePath(), "--window-size=1100,500", url);
        }
    }

    /** Runs headless Chromium with flags that keep it off the (closed) network and out of the way. */
    private String run(Path browser, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "chrome"),
                "--virtual-time-budget=5000"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s: " + cmd);
        }
        return Files.readString(out);
    }
}
