package io.nanofleet.agent.cli;

import io.nanofleet.agent.DeviceAgent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code status} in the state directory: the running agent rewrites it every few seconds, and the
 * {@code status} command reads it, so the command never opens the queue the agent is writing.
 */
final class StatusFile {
    private final Path file;

    StatusFile(Path stateDir) {
        this.file = stateDir.resolve("status");
    }

    void write(DeviceAgent agent, String state) {
        StringBuilder sb = new StringBuilder();
        sb.append("agent: ").append(state).append(" (pid ").append(ProcessHandle.current().pid()).append(")\n");
        sb.append("updated: ").append(Instant.now()).append('\n');
        sb.append("connected: ").append(agent.isConnected()).append('\n');
        for (Map.Entry<String, String> e : agent.counters().entrySet()) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        try {
            Path tmp = file.resolveSibling("status.tmp");
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
            // status is informational; the agent keeps running
        }
    }

    List<String> readLines() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new ArrayList<>(List.of("agent: never ran with this state directory"));
        }
    }
}
