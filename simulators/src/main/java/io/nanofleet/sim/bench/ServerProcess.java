package io.nanofleet.sim.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The fleet server under test, as its own JVM (so its heap and RSS are its own), started with `serve`. */
final class ServerProcess implements AutoCloseable {
    final Process process;
    final int httpPort;
    final int mqttPort;
    final Path dataDir;

    ServerProcess(Path dataDir, String heap, int httpPort, int mqttPort, int mqttsPort, int coapPort, List<String> extraArgs)
            throws IOException {
        this.dataDir = dataDir;
        this.httpPort = httpPort;
        this.mqttPort = mqttPort;
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap, "-XX:+UseG1GC",
                "-cp", System.getProperty("java.class.path"), "io.nanofleet.server.ServerMain", "serve",
                "--http-host", "127.0.0.1", "--http-port", String.valueOf(httpPort),
                "--mqtt-host", "127.0.0.1", "--mqtt-port", String.valueOf(mqttPort),
                "--mqtts-port", String.valueOf(mqttsPort), "--coap-port", String.valueOf(coapPort),
                "--data-dir", dataDir.toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile()).start();
    }

    void awaitHealthy(long timeoutMs) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; see "
                        + dataDir.resolveSibling(dataDir.getFileName() + ".log"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not become healthy within " + timeoutMs + " ms");
    }

    /** Resident set size now and its peak, in MiB, from /proc. */
    long[] rssMiB() throws IOException {
        String status = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "status"));
        return new long[] {kib(status, "VmRSS") / 1024, kib(status, "VmHWM") / 1024};
    }

    private static long kib(String status, String key) {
        Matcher m = Pattern.compile(key + ":\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Java heap in use (MiB) as the JVM reports it (jcmd GC.heap_info), optionally after a full GC. */
    long heapUsedMiB(boolean afterGc) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        if (afterGc) {
            run(jcmd, String.valueOf(process.pid()), "GC.run");
        }
        String out = run(jcmd, String.valueOf(process.pid()), "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
