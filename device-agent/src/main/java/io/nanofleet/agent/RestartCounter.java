package io.nanofleet.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Counts agent starts in the state directory, so the fleet server can see restarts after a model update
 * (DeviceState.restart_count; a crash-looping agent raises it). Without a state directory nothing
 * persists and the count is 0. A damaged file starts the count again rather than stopping the agent.
 */
final class RestartCounter {
    static final String FILE = "starts";

    private RestartCounter() {}

    /** Records this start and returns how many starts came before it. */
    static int next(Path stateDir) {
        if (stateDir == null) {
            return 0;
        }
        Path f = stateDir.resolve(FILE);
        int before = 0;
        try {
            if (Files.isRegularFile(f)) {
                before = Integer.parseInt(Files.readString(f, StandardCharsets.US_ASCII).trim());
            }
        } catch (IOException | NumberFormatException e) {
            before = 0;
        }
        try {
            Files.createDirectories(stateDir);
            Path tmp = stateDir.resolve(FILE + ".tmp");
            Files.writeString(tmp, Integer.toString(before + 1), StandardCharsets.US_ASCII);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // Read-only or full disk: the count stays where it was; the agent itself must still run.
        }
        return Math.max(0, before);
    }
}
