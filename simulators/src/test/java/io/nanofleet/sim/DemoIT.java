package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's demo exactly as a newcomer does ({@code java -jar target/nanofleet-demo.jar}, built by
 * the package phase before Failsafe runs) and checks: the API shows 20 online devices; every listener (HTTP,
 * MQTT plain and TLS, CoAP) is bound to 127.0.0.1 only; the server's data directory holds no root or targets
 * key (they are in the operator folder, password owner-only); the printed commands that publish the next
 * model work as printed from the repository root; and after SIGTERM (as Ctrl+C) the temporary directory
 * with the CA key and admin token is gone.
 */
class DemoIT {
    static final Pattern DASHBOARD = Pattern.compile("Dashboard:\\s+http://127\\.0\\.0\\.1:(\\d+)/#token=(\\S+)");
    static final Pattern LISTENERS = Pattern.compile("Listeners:\\s+HTTP 127\\.0\\.0\\.1:(\\d+), MQTT 127\\.0\\.0\\.1:(\\d+) "
            + "\\(plain, development\\), MQTT TLS 127\\.0\\.0\\.1:(\\d+), CoAP/DTLS udp 127\\.0\\.0\\.1:(\\d+)");
    static final Pattern DATA = Pattern.compile("Data:\\s+(\\S+) \\(removed when the demo stops\\)");
    static final Pattern OPERATOR = Pattern.compile("Operator:\\s+(\\S+) \\(");

    @TempDir
    Path tmp;

    @Test
    void demoJarRunsOnLoopbackPublishesOfflineAndRemovesItsDataOnExit() throws Exception {
        Path jar = Path.of("target/nanofleet-demo.jar");
        assertTrue(Files.isRegularFile(jar), "the package phase should have built " + jar.toAbsolutePath());
        Path repoRoot = Path.of("..").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(repoRoot.resolve(Demo.OTA_JAR)), "the reactor build should have built " + Demo.OTA_JAR);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // --http-port 0: port 8080 may be in use on a CI machine; the default-port fallback is the demo's own logic.
        // Output goes to a file: a thread reading the process pipe loses the last lines when the process
        // exits (the JDK closes the pipe under it), and the last lines are what shutdown prints.
        Path log = tmp.resolve("demo.log");
        Process demo = new ProcessBuilder(java, "-jar", jar.toString(), "--http-port", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path data;
        try {
            String out = awaitLine(demo, log, Pattern.compile("Press Ctrl\\+C to stop"));
            Matcher dash = find(DASHBOARD, out);
            int httpPort = Integer.parseInt(dash.group(1));
            String token = dash.group(2);
            data = Path.of(find(DATA, out).group(1));
            HttpClient http = HttpClient.newHttpClient();
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

            // Every listener on loopback only, as the kernel sees it.
            Matcher l = find(LISTENERS, out);
            assertEquals(httpPort, Integer.parseInt(l.group(1)));
            for (int i = 1; i <= 3; i++) {
                assertEquals(List.of("127.0.0.1"), bound("tcp", Integer.parseInt(l.group(i))), "TCP port " + l.group(i));
            }
            assertEquals(List.of("127.0.0.1"), bound("udp", Integer.parseInt(l.group(4))), "CoAP port " + l.group(4));
            for (InetAddress other : nonLoopbackAddresses()) {
                assertThrows(IOException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(other, httpPort), 2000);
                    }
                }, "HTTP reachable on " + other);
            }

            // Root and targets keys are in the operator folder, not in the server's data directory.
            Path operator = Path.of(find(OPERATOR, out).group(1));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(operator.resolve("password"))));
            assertTrue(Files.isRegularFile(operator.resolve("root.key")) && Files.isRegularFile(operator.resolve("targets.key")));
            try (Stream<Path> files = Files.walk(data.resolve("server"))) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertFalse(names.contains("root.key") || names.contains("targets.key"), names.toString());
            }

            // The printed commands that publish the next model, run as printed from the repository root.
            List<String> commands = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (line.startsWith("    java -jar ") || line.startsWith("    curl ")) {
                    commands.add(line.trim());
                }
            }
            assertEquals(2, commands.size(), out);
            assertTrue(commands.get(0).contains(" add-target "), commands.get(0));
            String sign = run(repoRoot, commands.get(0));
            String upload = run(repoRoot, commands.get(1));
            assertTrue(upload.contains("\"name\":\"models/anomaly-v2.nfm\""), sign + upload);
            String models = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/models"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(models.contains("models/anomaly-v1.nfm") && models.contains("models/anomaly-v2.nfm"), models);
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
        assertTrue(output.contains("Removed " + data), output);
        assertFalse(Files.exists(data), data + " still exists");
        assertFalse(output.contains("Exception"), output);
    }

    /** Runs one printed shell command; fails with its output unless it exits 0. */
    private static String run(Path cwd, String command) throws Exception {
        Path out = Files.createTempFile("demo-cmd", ".txt");
        try {
            Process p = new ProcessBuilder("bash", "-c", command).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
            String text = Files.readString(out);
            assertEquals(0, p.exitValue(), command + "\n" + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Local addresses of listening TCP sockets (or bound UDP sockets) on {@code port}, from /proc/net. */
    private static List<String> bound(String proto, int port) throws IOException {
        List<String> out = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String file : List.of("/proc/net/" + proto, "/proc/net/" + proto + "6")) {
            Path f = Path.of(file);
            if (!Files.exists(f)) {
                continue;
            }
            for (String line : Files.readAllLines(f).subList(1, Files.readAllLines(f).size())) {
                String[] c = line.trim().split("\\s+");
                String[] local = c[1].split(":");
                boolean listening = proto.equals("udp") || c[3].equals("0A");
                if (listening && local[1].equals(hexPort)) {
                    // An IPv6 socket bound to ::ffff:127.0.0.1 (IPv4-mapped) is loopback too.
                    out.add(local[0].length() == 8 ? ipv4(local[0])
                            : local[0].startsWith("0000000000000000FFFF0000") ? ipv4(local[0].substring(24)) : "ipv6:" + local[0]);
                }
            }
        }
        return out.stream().distinct().toList();
    }

    private static String ipv4(String littleEndianHex) {
        long v = Long.parseLong(littleEndianHex, 16);
        return (v & 0xff) + "." + (v >> 8 & 0xff) + "." + (v >> 16 & 0xff) + "." + (v >> 24 & 0xff);
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static Matcher find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " not in the demo's output:\n" + text);
        return m;
    }

    private static String awaitLine(Process demo, Path log, Pattern line) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline && demo.isAlive()) {
            String out = Files.readString(log);
            if (line.matcher(out).find()) {
                return out;
            }
            Thread.sleep(200);
        }
        fail("demo never printed " + line + "; output:\n" + Files.readString(log));
        return null;
    }
}
