package io.nanofleet.agent.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto broker the test owns: a child process on a free port with its own config and persistence
 * directory, which the test can stop (SIGTERM; Mosquitto saves its persistence) and start again on the same
 * port. Tests skip (with a message) where the binary is missing.
 */
public final class Mosquitto implements AutoCloseable {
    public static final Path BINARY = Path.of(System.getenv().getOrDefault("NANOFLEET_MOSQUITTO", "/usr/sbin/mosquitto"));
    private final Path dir;
    private final int port;
    private final String extraConfig;
    private Process process;

    public Mosquitto(Path dir, String extraConfig) throws IOException {
        this.dir = dir;
        this.port = freePort();
        this.extraConfig = extraConfig;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public Mosquitto start() throws IOException, InterruptedException {
        Path conf = dir.resolve("mosquitto.conf");
        String listener = extraConfig.contains("listener ") ? "" : "listener " + port + " 127.0.0.1\nallow_anonymous true\n";
        Files.writeString(conf, listener + "persistence true\npersistence_location " + dir + "/\nautosave_interval 1\nlog_type all\n"
                + extraConfig.replace("${port}", Integer.toString(port)) + "\n");
        process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return this;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IOException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IOException("mosquitto did not listen on " + port + ": " + Files.readString(dir.resolve("mosquitto.log")));
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
