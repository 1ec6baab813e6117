package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.sim.DemoModels;
import io.nanofleet.sim.Fleet;
import io.nanofleet.sim.OperatorFolder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every line of operator-cli/README.md's {@code sh} blocks, run as printed by bash from the repository root, in
 * README order, in one shell (so {@code export PATH} and {@code ROLLOUT=$(...)} carry to the lines after them).
 * The server is laid out as the demo lays out {@code --data-dir /tmp/nanofleet-demo}: {@code server/} (offline
 * keys), {@code operator/} (root and targets keys, root v1 installed, {@code models/anomaly-v1.nfm} published as
 * release 1, {@code models/anomaly-v2.nfm} written for the next), and the demo's simulated devices (three, sampling
 * once a second). Only {@code /tmp/nanofleet-demo} and {@code http://127.0.0.1:8080} are replaced with this test's
 * folder and server; the build lines and the demo's start are done by the test itself. A line must exit 0, or the
 * N of a trailing {@code # exit N}.
 */
class ReadmeIT {
    static final Path README = Path.of("README.md");
    static final String DEMO_DIR = "/tmp/nanofleet-demo";
    static final String DEMO_URL = "http://127.0.0.1:8080";
    static final Pattern EXIT = Pattern.compile("#\\s*exit (\\d+)");

    @TempDir
    Path dir;

    /** The README's shell lines (continuations joined), each with the exit code it should end with. */
    record Line(int number, String text, int exit) {
    }

    static List<Line> lines() throws Exception {
        List<String> all = Files.readAllLines(README, StandardCharsets.UTF_8);
        List<Line> out = new ArrayList<>();
        boolean sh = false;
        StringBuilder cont = null;
        int start = 0;
        for (int i = 0; i < all.size(); i++) {
            String l = all.get(i);
            if (l.startsWith("```")) {
                sh = !sh && l.substring(3).trim().equals("sh");
                continue;
            }
            if (!sh || cont == null && (l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            if (cont == null) {
                cont = new StringBuilder();
                start = i + 1;
            }
            if (l.endsWith("\\")) {
                cont.append(l, 0, l.length() - 1).append(' ');
                continue;
            }
            cont.append(l);
            String text = cont.toString().trim();
            Matcher m = EXIT.matcher(text);
            out.add(new Line(start, text, m.find() ? Integer.parseInt(m.group(1)) : 0));
            cont = null;
        }
        return out;
    }

    @Test
    void everyReadmeShellLineRunsAsPrinted() throws Exception {
        List<Line> lines = lines();
        assertTrue(lines.size() >= 25, "found the README's lines: " + lines.size());
        Path demo = dir.resolve("nanofleet-demo");
        Path repoRoot = Path.of("..").toAbsolutePath().normalize();
        assertTrue(Files.exists(repoRoot.resolve("mvnw")), repoRoot.toString());
        for (String jar : List.of("simulators/target/nanofleet-demo.jar", "device-agent/target/nanofleet-agent.jar",
                "ota/target/nanofleet-ota-0.1.0-SNAPSHOT-cli.jar", "operator-cli/target/nanofleet-cli.jar")) {
            assertTrue(Files.isRegularFile(repoRoot.resolve(jar)), "the -am build packages " + jar);
        }

        StringBuilder script = new StringBuilder("set -o pipefail\ncd '" + repoRoot + "'\n");
        boolean demoLine = false;
        for (Line l : lines) {
            if (l.text().startsWith("./mvnw ")) {
                continue; // the build this test runs in
            }
            if (l.text().startsWith("java -jar simulators/target/nanofleet-demo.jar")) {
                assertEquals("java -jar simulators/target/nanofleet-demo.jar --data-dir " + DEMO_DIR + " --devices 3", l.text(),
                        "the demo this test lays out");
                demoLine = true;
                continue;
            }
            String cmd = l.text().replace(DEMO_DIR, demo.toString()).replace(DEMO_URL, "__URL__");
            script.append("echo '+ README.md:").append(l.number()).append("' >&2\n").append(cmd).append('\n')
                    .append("rc=$?; if [ $rc -ne ").append(l.exit()).append(" ]; then echo \"README.md:").append(l.number())
                    .append(" exited $rc, not ").append(l.exit()).append("\" >&2; exit 99; fi\n");
        }
        assertTrue(demoLine, "the README starts the demo");

        try (LiveServer live = new LiveServer(demo.resolve("server"), false);
             Fleet fleet = demoLayout(live, demo)) {
            assertEquals(3, fleet.agents().size());
            Path out = dir.resolve("readme.out");
            Path err = dir.resolve("readme.err");
            Files.createDirectories(dir.resolve("home"));
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script.toString().replace("__URL__", live.url))
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("NANOFLEET_") || k.equals("XDG_CONFIG_HOME"));
            pb.environment().put("HOME", dir.resolve("home").toString());
            pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
            Process p = pb.start();
            boolean done = p.waitFor(8, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String o = Files.readString(out);
            String e = Files.readString(err);
            assertTrue(done, "the README's lines did not finish in 8 minutes\n" + o + "\n" + e);
            assertEquals(0, p.exitValue(), "stdout:\n" + o + "\nstderr:\n" + e);
            assertTrue(o.contains("Logged in to " + live.url + " (role admin)"), o);
            assertTrue(o.matches("(?s).*rollout ro-[0-9a-f]+ completed: models/anomaly-v2\\.nfm on 3 devices.*"), o);
            assertTrue(o.contains("Revoked pump-7: 1 certificate"), o);
        }
    }

    /** What the demo makes in its --data-dir before it starts its devices (Demo.publishOffline), and the devices. */
    static Fleet demoLayout(LiveServer live, Path demo) throws Exception {
        OperatorFolder operator = OperatorFolder.openOrCreate(demo.resolve("operator"));
        operator.initServerRoot(live.url, live.admin);
        Path models = Files.createDirectories(demo.resolve("operator").resolve("models"));
        Path first = Files.write(models.resolve("anomaly-v1.nfm"), DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 1));
        operator.upload(live.url, live.admin, first, "models/anomaly-v1.nfm", operator.sign(first, "models/anomaly-v1.nfm", Fleet.HARDWARE_ID, 1));
        Files.write(models.resolve("anomaly-v2.nfm"), DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 2));
        Fleet fleet = new Fleet(new Fleet.Spec(live.server.brokerUri(), 3, "sim-", 1000, 5000)
                .withUpdates(new Fleet.Updates(live.url, Fleet.Updates.fetchRoot(live.url), demo.resolve("sim-devices"))));
        fleet.start(n -> { });
        LiveServer.await(Duration.ofSeconds(90), "the demo's 3 devices online", () -> {
            try {
                return live.server.store().devices().stream().filter(d -> d.online()).count() == 3;
            } catch (Exception ex) {
                return false;
            }
        });
        return fleet;
    }
}
