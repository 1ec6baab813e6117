package io.nanofleet.agent.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskQueueTest {
    @TempDir
    Path dir;

    private static byte[] body(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private DiskQueue open() throws IOException {
        return new DiskQueue(dir, 64 * 1024, 8 * 1024, true);
    }

    @Test
    void deliversInOrderAndForgetsOnlyWhatWasAcknowledged() throws IOException {
        try (DiskQueue q = open()) {
            for (int i = 0; i < 5; i++) {
                int n = i;
                long idx = q.append(Outbox.Kind.SUMMARY, "t", seq -> body("m" + n + "@" + seq));
                assertEquals(i + 1, idx);
            }
            List<Outbox.Entry> first = q.after(0, 3);
            assertEquals(List.of(1L, 2L, 3L), first.stream().map(Outbox.Entry::index).toList());
            assertArrayEquals(body("m0@1"), first.get(0).payload());
            assertEquals(List.of(4L, 5L), q.after(3, 10).stream().map(Outbox.Entry::index).toList());
            q.ackThrough(2);
            assertEquals(3, q.pending());
        }
        try (DiskQueue q = open()) {
            assertEquals(2, q.ackedThrough());
            assertEquals(List.of(3L, 4L, 5L), q.after(0, 10).stream().map(Outbox.Entry::index).toList());
            assertEquals(6, q.append(Outbox.Kind.EVENT, "t", seq -> body("x")));
        }
    }

    @Test
    void indexNeverGoesBackEvenWhenFullyDrained() throws IOException {
        try (DiskQueue q = open()) {
            for (int i = 0; i < 300; i++) {
                q.append(Outbox.Kind.SUMMARY, "topic", seq -> new byte[100]);
            }
            q.ackThrough(300);
            assertEquals(0, q.pending());
        }
        try (DiskQueue q = open()) {
            assertEquals(301, q.nextIndex());
            assertTrue(q.diskBytes() <= 8 * 1024 + 200, "acknowledged segments are deleted: " + q.diskBytes());
        }
    }

    @Test
    void cutsATornRecordAtTheEndAndKeepsEverythingBefore() throws IOException {
        try (DiskQueue q = open()) {
            for (int i = 0; i < 3; i++) {
                q.append(Outbox.Kind.EVENT, "t", seq -> body("event " + seq));
            }
        }
        Path seg = segments().get(segments().size() - 1);
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 5); // crash in the middle of writing record 3
        }
        try (DiskQueue q = open()) {
            assertEquals(List.of(1L, 2L), q.after(0, 10).stream().map(Outbox.Entry::index).toList());
            assertEquals(3, q.append(Outbox.Kind.EVENT, "t", seq -> body("again")));
            assertEquals(3, q.after(0, 10).size());
        }
    }

    @Test
    void detectsBitRotByCrc() throws IOException {
        try (DiskQueue q = new DiskQueue(dir, 64 * 1024, 4 * 1024, true)) {
            for (int i = 0; i < 100; i++) {
                q.append(Outbox.Kind.EVENT, "t", seq -> new byte[100]);
            }
        }
        Path first = segments().get(0);
        byte[] b = Files.readAllBytes(first);
        b[b.length - 20] ^= 0x40;
        Files.write(first, b);
        try (DiskQueue q = new DiskQueue(dir, 64 * 1024, 4 * 1024, true)) {
            assertEquals(1, q.corruptRecords());
            List<Outbox.Entry> all = q.after(0, 1000);
            assertEquals(99, all.size(), "only the damaged record is lost");
        }
    }

    @Test
    void atTheBoundSummariesGoBeforeAnyEventAndDropsAreCounted() throws IOException {
        try (DiskQueue q = new DiskQueue(dir, 16 * 1024, 4 * 1024, false)) {
            // 40 events then many summaries: far more than 16 KiB.
            for (int i = 0; i < 40; i++) {
                q.append(Outbox.Kind.EVENT, "e", seq -> new byte[100]);
            }
            for (int i = 0; i < 400; i++) {
                q.append(Outbox.Kind.SUMMARY, "s", seq -> new byte[100]);
            }
            assertTrue(q.diskBytes() <= 16 * 1024, "bound kept: " + q.diskBytes());
            assertEquals(0, q.droppedEvents());
            assertTrue(q.droppedSummaries() > 300, "dropped " + q.droppedSummaries());
            List<Outbox.Entry> left = q.after(0, 10_000);
            assertEquals(40, left.stream().filter(e -> e.kind() == Outbox.Kind.EVENT).count(), "every event kept");
            assertEquals(440 - q.droppedSummaries() - q.droppedEvents(), left.size(), "every message is either queued or counted");
            assertEquals(left.size(), q.pending(), "pending is exact after drops");
            q.ackThrough(left.get(9).index());
            assertEquals(left.size() - 10, q.pending(), "and after acknowledgements that span dropped indices");
            // Only events now: the oldest events go, counted.
            for (int i = 0; i < 200; i++) {
                q.append(Outbox.Kind.EVENT, "e", seq -> new byte[100]);
            }
            assertTrue(q.droppedEvents() > 0);
            long total = 640 - 10;
            assertEquals(total, q.after(0, 10_000).size() + q.droppedSummaries() + q.droppedEvents());
            assertEquals(q.after(0, 10_000).size(), q.pending());
        }
        try (DiskQueue q = new DiskQueue(dir, 16 * 1024, 4 * 1024, false)) {
            assertTrue(q.droppedSummaries() > 300, "drop counters persist");
            assertTrue(q.droppedEvents() > 0);
        }
    }

    @Test
    void memoryOutboxFollowsTheSameDropRule() {
        MemoryOutbox m = new MemoryOutbox(3);
        m.append(Outbox.Kind.EVENT, "e", s -> new byte[1]);
        m.append(Outbox.Kind.SUMMARY, "s", s -> new byte[1]);
        m.append(Outbox.Kind.EVENT, "e", s -> new byte[1]);
        m.append(Outbox.Kind.EVENT, "e", s -> new byte[1]);
        assertEquals(1, m.droppedSummaries());
        assertEquals(List.of(1L, 3L, 4L), m.after(0, 10).stream().map(Outbox.Entry::index).toList());
        m.append(Outbox.Kind.EVENT, "e", s -> new byte[1]);
        assertEquals(1, m.droppedEvents());
        m.ackThrough(4);
        assertEquals(1, m.pending());
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
    }
}
