package io.nanofleet.agent.command;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Ids of the commands this device has executed, persisted (one id per line, fsync'd before the command
 * runs) so that a command redelivered after a restart is still recognised as a duplicate. Keeps the most
 * recent {@code capacity} ids; the file is compacted when it holds twice that. A null directory keeps the
 * ids in memory only (simulated agents).
 */
public final class CommandLog implements AutoCloseable {
    private final Path file;
    private final int capacity;
    private final LinkedHashSet<String> ids = new LinkedHashSet<>();
    private FileChannel channel;
    private int lines;

    public CommandLog(Path dir, int capacity) throws IOException {
        this.capacity = capacity;
        this.file = dir == null ? null : dir.resolve("commands.log");
        if (file != null) {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        remember(line.strip());
                        lines++;
                    }
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
    }

    public synchronized boolean contains(String id) {
        return ids.contains(id);
    }

    /** Records an id durably; returns false if it was already known. */
    public synchronized boolean add(String id) throws IOException {
        if (ids.contains(id)) {
            return false;
        }
        remember(id);
        if (channel != null) {
            channel.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            if (++lines > 2 * capacity) {
                compact();
            }
        }
        return true;
    }

    private void remember(String id) {
        ids.add(id);
        while (ids.size() > capacity) {
            ids.remove(ids.iterator().next());
        }
    }

    private void compact() throws IOException {
        Path tmp = file.resolveSibling("commands.log.tmp");
        List<String> keep = new ArrayList<>(ids);
        Files.write(tmp, keep, StandardCharsets.UTF_8);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = keep.size();
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
