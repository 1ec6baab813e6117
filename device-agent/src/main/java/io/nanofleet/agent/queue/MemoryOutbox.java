package io.nanofleet.agent.queue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * The in-memory outbox for agents built without a state directory (simulated fleets of thousands of agents
 * in one JVM). Same ordering, acknowledgement and drop rules as {@link DiskQueue}, bounded by message count;
 * nothing survives the process.
 */
public final class MemoryOutbox implements Outbox {
    private final int maxMessages;
    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    private long next = 1;
    private long ackedThrough;
    private long droppedSummaries;
    private long droppedEvents;

    public MemoryOutbox(int maxMessages) {
        this.maxMessages = maxMessages;
    }

    @Override
    public synchronized long append(Kind kind, String topic, LongFunction<byte[]> payload) {
        while (entries.size() >= maxMessages) {
            evictOne();
        }
        long index = next++;
        entries.put(index, new Entry(index, kind, topic, payload.apply(index)));
        return index;
    }

    private void evictOne() {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (it.next().kind() != Kind.EVENT) {
                it.remove();
                droppedSummaries++;
                return;
            }
        }
        entries.pollFirstEntry();
        droppedEvents++;
    }

    @Override
    public synchronized List<Entry> after(long after, int max) {
        List<Entry> out = new ArrayList<>(Math.min(max, 16));
        for (Entry e : entries.tailMap(after, false).values()) {
            if (out.size() >= max) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized void ackThrough(long index) {
        entries.headMap(index, true).clear();
        ackedThrough = Math.max(ackedThrough, index);
    }

    @Override
    public synchronized long lastIndex() {
        return next - 1;
    }

    @Override
    public synchronized long ackedThrough() {
        return ackedThrough;
    }

    @Override
    public synchronized long pending() {
        return entries.size();
    }

    @Override
    public synchronized long droppedSummaries() {
        return droppedSummaries;
    }

    @Override
    public synchronized long droppedEvents() {
        return droppedEvents;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
