package io.nanofleet.agent.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * The bounded, disk-backed store-and-forward queue.
 *
 * <p>Layout: append-only segment files {@code seg-<first index>.q} of {@link Record}s (each with its own
 * CRC-32C), plus {@code acked} (the highest index the broker acknowledged, 8 bytes) and {@code drops} (the
 * drop counters). A segment whose records are all acknowledged is deleted; the newest segment is kept so the
 * index sequence survives even a fully drained queue.
 *
 * <p>Durability (fsync policy): with {@code fsync=true} every {@link #append} forces the segment to disk
 * before it returns, so a power cut loses nothing that was handed to the queue. The {@code acked} file is
 * written without fsync: after a crash the agent may resend a few acknowledged messages, which the server
 * drops by id, instead of losing unacknowledged ones. A torn record at the end of the newest segment
 * (crash mid-write) is cut off on open; a bad CRC elsewhere is counted in {@link #corruptRecords()}.
 *
 * <p>Bound: when an append would take the segments over {@code maxBytes}, the oldest segment that still
 * holds summaries (or raw samples) is rewritten without them; only when no older segment holds summaries is the oldest
 * segment dropped whole. Every dropped message is counted by kind and the counters persist.
 */
public final class DiskQueue implements Outbox {
    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".q";

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final boolean fsync;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final FileChannel ackedFile;
    private final FileChannel dropsFile;
    private FileChannel active;
    private long next;
    private long ackedThrough;
    private long droppedSummaries;
    private long droppedEvents;
    private long corruptRecords;
    private long totalBytes;
    /** Read cursor of {@link #after}; {@code epoch} changes whenever a segment is rewritten or removed. */
    private long epoch;
    private long cursorEpoch = -1;
    private long cursorSegment;
    private long cursorPosition;
    private long cursorLast;

    /** What is known about one segment file without reading it again. */
    private static final class Segment {
        final long first;
        final Path path;
        long last;
        long bytes;
        int summaries;
        int events;
        /** Indices of the records in the file, ascending: 8 bytes per record, so pending() never reads the disk. */
        long[] indices = new long[16];
        int size;

        Segment(long first, Path path) {
            this.first = first;
            this.path = path;
            this.last = first - 1;
        }

        void add(long index) {
            if (size == indices.length) {
                indices = java.util.Arrays.copyOf(indices, size * 2);
            }
            indices[size++] = index;
        }

        /** Records with index > {@code acked}. */
        int after(long acked) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (indices[mid] <= acked) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return size - lo;
        }
    }

    public DiskQueue(Path dir, long maxBytes, long segmentBytes, boolean fsync) throws IOException {
        if (maxBytes < 2 * segmentBytes) {
            throw new IllegalArgumentException("maxBytes must be at least 2 x segmentBytes");
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.fsync = fsync;
        Files.createDirectories(dir);
        this.ackedFile = FileChannel.open(dir.resolve("acked"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        this.dropsFile = FileChannel.open(dir.resolve("drops"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ackedThrough = readLong(ackedFile, 0);
        droppedSummaries = readLong(dropsFile, 0);
        droppedEvents = readLong(dropsFile, 8);
        recover();
    }

    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && p.getFileName().toString().endsWith(SUFFIX))
                    .sorted().toList();
        }
        long highest = ackedThrough;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            boolean newest = i == files.size() - 1;
            Segment seg = new Segment(firstIndexOf(f), f);
            long goodEnd = scan(seg, newest);
            if (newest && goodEnd < Files.size(f)) {
                // Torn write at the end: the record was never acknowledged to the caller, cut it off.
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.truncate(goodEnd);
                    ch.force(true);
                }
            }
            seg.bytes = Files.size(f);
            if (seg.last >= seg.first) {
                highest = Math.max(highest, seg.last);
            }
            segments.put(seg.first, seg);
            totalBytes += seg.bytes;
        }
        next = highest + 1;
        deleteAckedSegments();
        if (segments.isEmpty()) {
            openNewSegment();
        } else {
            active = FileChannel.open(segments.lastEntry().getValue().path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
    }

    /** Reads a segment's records, filling its counters; returns the offset after the last good record. */
    private long scan(Segment seg, boolean newest) throws IOException {
        long good = 0;
        try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ)) {
            Record.Reader r = new Record.Reader(ch);
            while (true) {
                Record rec;
                try {
                    rec = r.next();
                } catch (Record.CorruptRecordException e) {
                    if (!newest) {
                        corruptRecords++;
                    }
                    break;
                }
                if (rec == null) {
                    break;
                }
                good = r.position();
                seg.last = rec.index();
                seg.add(rec.index());
                if (rec.index() > ackedThrough) {
                    count(seg, rec.kind(), 1);
                }
            }
        }
        return good;
    }

    private static void count(Segment seg, Kind kind, int delta) {
        if (kind != Kind.EVENT) {
            seg.summaries += delta;
        } else {
            seg.events += delta;
        }
    }

    @Override
    public synchronized long append(Kind kind, String topic, LongFunction<byte[]> payload) throws IOException {
        long index = next;
        byte[] body = payload.apply(index);
        ByteBuffer rec = Record.encode(index, kind, topic, body);
        int size = rec.remaining();
        if (size > maxBytes / 2) {
            throw new IOException("message of " + size + " bytes is larger than half the queue bound " + maxBytes);
        }
        Segment seg = segments.lastEntry().getValue();
        if (seg.bytes > 0 && seg.bytes + size > segmentBytes) {
            roll();
            seg = segments.lastEntry().getValue();
        }
        while (totalBytes + size > maxBytes && evictOldest()) {
            seg = segments.lastEntry().getValue();
        }
        while (rec.hasRemaining()) {
            active.write(rec);
        }
        if (fsync && kind != Kind.RAW) {
            active.force(false);
        }
        next = index + 1;
        seg.last = index;
        seg.add(index);
        seg.bytes += size;
        totalBytes += size;
        count(seg, kind, 1);
        return index;
    }

    private void roll() throws IOException {
        active.force(false);
        active.close();
        openNewSegment();
    }

    private void openNewSegment() throws IOException {
        Path p = dir.resolve(String.format("%s%020d%s", PREFIX, next, SUFFIX));
        active = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        segments.put(next, new Segment(next, p));
        if (fsync) {
            forceDirectory();
        }
    }

    /** Frees space: summaries of the oldest segment holding any, else the oldest segment. False if nothing left. */
    private boolean evictOldest() throws IOException {
        if (segments.size() == 1) {
            if (segments.firstEntry().getValue().bytes == 0) {
                return false;
            }
            roll();
        }
        Segment victim = null;
        for (Segment s : segments.values()) {
            if (s != segments.lastEntry().getValue() && s.summaries > 0) {
                victim = s;
                break;
            }
        }
        if (victim != null) {
            rewriteWithoutSummaries(victim);
        } else {
            Segment oldest = segments.firstEntry().getValue();
            long[] lost = countUnacked(oldest);
            droppedSummaries += lost[0];
            droppedEvents += lost[1];
            removeSegment(oldest);
            // Dropped messages count as handled for the forwarder's cursor.
            ackedThrough = Math.max(ackedThrough, oldest.last);
            writeLong(ackedFile, 0, ackedThrough);
        }
        writeDrops();
        return true;
    }

    private void rewriteWithoutSummaries(Segment seg) throws IOException {
        Path tmp = seg.path.resolveSibling(seg.path.getFileName() + ".tmp");
        long kept = 0;
        long dropped = 0;
        Segment rebuilt = new Segment(seg.first, seg.path);
        try (FileChannel in = FileChannel.open(seg.path, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            Record.Reader r = new Record.Reader(in);
            Record rec;
            while ((rec = safeNext(r)) != null) {
                if (rec.kind() != Kind.EVENT && rec.index() > ackedThrough) {
                    dropped++;
                }
                if (rec.kind() == Kind.EVENT && rec.index() > ackedThrough) {
                    rebuilt.add(rec.index());
                    ByteBuffer b = Record.encode(rec.index(), rec.kind(), rec.topic(), rec.payload());
                    kept += b.remaining();
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
            }
            out.force(true);
        }
        droppedSummaries += dropped;
        seg.summaries = 0;
        seg.indices = rebuilt.indices;
        seg.size = rebuilt.size;
        Files.move(tmp, seg.path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        epoch++;
        totalBytes += kept - seg.bytes;
        seg.bytes = kept;
        if (kept == 0) {
            removeSegment(seg);
        }
    }

    private Record safeNext(Record.Reader r) throws IOException {
        try {
            return r.next();
        } catch (Record.CorruptRecordException e) {
            return null;
        }
    }

    private void removeSegment(Segment seg) throws IOException {
        epoch++;
        segments.remove(seg.first);
        totalBytes -= seg.bytes;
        Files.deleteIfExists(seg.path);
    }

    @Override
    public synchronized List<Entry> after(long after, int max) throws IOException {
        long from = Math.max(after, ackedThrough);
        List<Entry> out = new ArrayList<>(Math.min(max, 64));
        // Resume where the previous call stopped when the caller continues from there (the forwarder's normal
        // case), so draining a long backlog reads each segment once instead of once per batch.
        boolean resume = cursorEpoch == epoch && cursorLast == from && segments.containsKey(cursorSegment);
        long segKey = resume ? cursorSegment : startSegment(from);
        long pos = resume ? cursorPosition : 0;
        while (out.size() < max) {
            Segment seg = segments.get(segKey);
            if (seg == null) {
                break;
            }
            if (seg.last > from) {
                try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ)) {
                    Record.Reader r = new Record.Reader(ch, pos);
                    Record rec;
                    while (out.size() < max && (rec = safeNext(r)) != null) {
                        if (rec.index() > from) {
                            out.add(new Entry(rec.index(), rec.kind(), rec.topic(), rec.payload()));
                        }
                        pos = r.position();
                    }
                }
            }
            if (out.size() >= max) {
                break;
            }
            Long nextKey = segments.higherKey(segKey);
            if (nextKey == null) {
                break;
            }
            segKey = nextKey;
            pos = 0;
        }
        cursorEpoch = epoch;
        cursorSegment = segKey;
        cursorPosition = pos;
        cursorLast = out.isEmpty() ? from : out.get(out.size() - 1).index();
        return out;
    }

    private long startSegment(long from) {
        Long k = segments.floorKey(from + 1);
        return k == null ? segments.firstKey() : k;
    }

    @Override
    public synchronized void ackThrough(long index) throws IOException {
        if (index <= ackedThrough) {
            return;
        }
        ackedThrough = Math.min(index, next - 1);
        writeLong(ackedFile, 0, ackedThrough);
        deleteAckedSegments();
    }

    private void deleteAckedSegments() throws IOException {
        while (segments.size() > 1) {
            Segment oldest = segments.firstEntry().getValue();
            if (oldest.last > ackedThrough) {
                break;
            }
            removeSegment(oldest);
        }
        if (!segments.isEmpty()) {
            // The kept segments may still count acknowledged messages from before; recount lazily by clamping.
            for (Segment s : segments.values()) {
                if (s.last <= ackedThrough) {
                    s.summaries = 0;
                    s.events = 0;
                }
            }
        }
    }

    @Override
    public synchronized long ackedThrough() {
        return ackedThrough;
    }

    @Override
    public synchronized long pending() {
        long n = 0;
        for (Segment s : segments.values()) {
            n += s.after(ackedThrough);
        }
        return n;
    }

    @Override
    public synchronized long lastIndex() {
        return next - 1;
    }

    /** The next index {@link #append} will hand out. */
    public synchronized long nextIndex() {
        return next;
    }

    public synchronized long diskBytes() {
        return totalBytes;
    }

    @Override
    public synchronized long droppedSummaries() {
        return droppedSummaries;
    }

    @Override
    public synchronized long droppedEvents() {
        return droppedEvents;
    }

    public synchronized long corruptRecords() {
        return corruptRecords;
    }

    @Override
    public synchronized void flush() throws IOException {
        active.force(true);
        ackedFile.force(true);
        dropsFile.force(true);
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        active.close();
        ackedFile.close();
        dropsFile.close();
    }

    private void writeDrops() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).putLong(droppedSummaries).putLong(droppedEvents).flip();
        dropsFile.write(b, 0);
        if (fsync) {
            dropsFile.force(false);
        }
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot open a directory; the segment's own fsync still holds its data
        }
    }

    private static long readLong(FileChannel ch, long position) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        int n = ch.read(b, position);
        return n == 8 ? b.flip().getLong() : 0;
    }

    private static void writeLong(FileChannel ch, long position, long value) throws IOException {
        ch.write(ByteBuffer.allocate(8).putLong(value).flip(), position);
    }

    private static long firstIndexOf(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    }

    /** Unacknowledged summaries [0] and events [1] in a segment, read from the file (counters above are hints). */
    private long[] countUnacked(Segment seg) throws IOException {
        long[] n = new long[2];
        if (seg.last <= ackedThrough) {
            return n;
        }
        try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ)) {
            Record.Reader r = new Record.Reader(ch);
            Record rec;
            while ((rec = safeNext(r)) != null) {
                if (rec.index() > ackedThrough) {
                    n[rec.kind() == Kind.EVENT ? 1 : 0]++;
                }
            }
        }
        return n;
    }
}
