package io.nanofleet.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged agent ({@code target/nanofleet-agent.jar} + {@code target/lib}) as a child JVM, with the unit's JVM flags. */
public final class AgentProcess implements AutoCloseable {
    public static final List<String> JVM_FLAGS = List.of("-Xms8m", "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private final Process process;
    private final Path log;

    public AgentProcess(Path log, String... args) throws IOException {
        Path jar = Path.of("target", "nanofleet-agent.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " missing: run 'mvn package' first (Failsafe runs after it)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        this.log = log;
        this.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: no shutdown hook runs, exactly like a crash or the OOM killer. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, as systemd stops the unit; returns the exit code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("agent did not stop within 20 s of SIGTERM");
        }
        return process.exitValue();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
