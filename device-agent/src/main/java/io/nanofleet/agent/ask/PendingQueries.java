package io.nanofleet.agent.ask;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.v1.Query;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Questions handed to the fleet and not answered yet, kept until their answer or their expiry: on disk under the
 * agent's state directory ({@code ask/<query id>.q}, fsync'd before the question is sent, so a question asked while
 * the fleet is unreachable survives an agent restart), or in memory for agents without one. A question whose
 * publish the broker acknowledged gets a {@code <query id>.sent} marker, so a reconnect sends only the others
 * (the broker's persistent session delivers the answers to the sent ones).
 *
 * <p>Not the store-and-forward {@code DiskQueue}: that one acknowledges a contiguous prefix, and answers arrive in
 * any order. File: magic {@code NFQ1} | expires at ms (8) | query length (4) | Query | CRC-32C of all before (4).
 */
public final class PendingQueries {
    /** One stored question. */
    record Stored(String id, long expiresAtMs, boolean sent, Query query) {}

    static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,80}");
    private static final int MAGIC = 0x4e465131; // "NFQ1"

    private final Path dir;
    private final Map<String, Stored> memory = new ConcurrentHashMap<>();
    private long corrupt;

    private PendingQueries(Path dir) {
        this.dir = dir;
    }

    /** On disk under {@code dir}, or in memory when {@code dir} is null. */
    public static PendingQueries at(Path dir) throws IOException {
        return dir == null ? inMemory() : onDisk(dir);
    }

    static PendingQueries inMemory() {
        return new PendingQueries(null);
    }

    /** Under {@code dir} (created owner-only when missing). */
    static PendingQueries onDisk(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        return new PendingQueries(dir);
    }

    /** Every stored question; unreadable files are removed and counted ({@link #corrupt()}). */
    synchronized List<Stored> load() throws IOException {
        if (dir == null) {
            return new ArrayList<>(memory.values());
        }
        List<Stored> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".tmp")) {
                Files.deleteIfExists(f);
                continue;
            }
            if (!name.endsWith(".q")) {
                continue;
            }
            String id = name.substring(0, name.length() - 2);
            Stored s = ID.matcher(id).matches() ? read(f, id) : null;
            if (s == null) {
                corrupt++;
                Files.deleteIfExists(f);
                Files.deleteIfExists(dir.resolve(id + ".sent"));
                continue;
            }
            out.add(s);
        }
        return out;
    }

    private Stored read(Path f, String id) throws IOException {
        byte[] all = Files.readAllBytes(f);
        if (all.length < 20) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        if (b.getInt() != MAGIC) {
            return null;
        }
        long expires = b.getLong();
        int len = b.getInt();
        if (len < 0 || len > Codecs.MAX_QUERY_BYTES || len != all.length - 20) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, 16 + len);
        byte[] q = new byte[len];
        b.get(q);
        if ((int) crc.getValue() != b.getInt()) {
            return null;
        }
        try {
            Query query = Codecs.QUERY.decode(q);
            if (!query.getQueryId().equals(id)) {
                return null;
            }
            return new Stored(id, expires, Files.exists(dir.resolve(id + ".sent")), query);
        } catch (PayloadException e) {
            return null;
        }
    }

    /** Stores a question durably (on disk: written, forced, renamed into place) before it goes anywhere. */
    synchronized void put(String id, long expiresAtMs, Query query) throws IOException {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("bad query id " + id);
        }
        if (dir == null) {
            memory.put(id, new Stored(id, expiresAtMs, false, query));
            return;
        }
        byte[] q = Codecs.QUERY.encode(query);
        ByteBuffer b = ByteBuffer.allocate(20 + q.length);
        b.putInt(MAGIC).putLong(expiresAtMs).putInt(q.length).put(q);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        Path tmp = dir.resolve(id + ".q.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(id + ".q"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot force a directory; the rename is still atomic
        }
    }

    /** The broker acknowledged the question: a reconnect need not send it again. */
    synchronized void markSent(String id) {
        if (dir == null) {
            memory.computeIfPresent(id, (k, s) -> new Stored(s.id(), s.expiresAtMs(), true, s.query()));
            return;
        }
        if (Files.exists(dir.resolve(id + ".q"))) {
            try {
                Files.write(dir.resolve(id + ".sent"), new byte[0]);
            } catch (IOException ignored) {
                // then it is sent again after a reconnect; the fleet sees the same query id
            }
        }
    }

    /** Answered or expired: forgotten. */
    synchronized void remove(String id) {
        if (dir == null) {
            memory.remove(id);
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(id + ".q"));
            Files.deleteIfExists(dir.resolve(id + ".sent"));
        } catch (NoSuchFileException ignored) {
            // gone already
        } catch (IOException ignored) {
            // left behind: load() at the next start finds it expired or answers it
        }
    }

    /** Files that could not be read at {@link #load} (removed). */
    synchronized long corrupt() {
        return corrupt;
    }
}
