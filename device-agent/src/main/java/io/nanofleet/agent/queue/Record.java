package io.nanofleet.agent.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * One queue record on disk: magic (1) | kind (1) | index (8) | topic length (2) | payload length (4) | topic |
 * payload | CRC-32C of everything before (4). Big-endian.
 */
record Record(long index, Outbox.Kind kind, String topic, byte[] payload) {
    static final int MAGIC = 0x4e;
    static final int HEADER = 16;
    /** Sanity limit on one payload: far above any protocol limit, far below a corrupt length's damage. */
    static final int MAX_PAYLOAD = 4 << 20;

    static ByteBuffer encode(long index, Outbox.Kind kind, String topic, byte[] payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER + t.length + payload.length + 4);
        b.put((byte) MAGIC).put((byte) kind.code).putLong(index).putShort((short) t.length).putInt(payload.length)
                .put(t).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** A record that is not what was written (bit rot, torn write, foreign bytes). */
    static final class CorruptRecordException extends IOException {
        CorruptRecordException(String message) {
            super(message);
        }
    }

    /** Sequential reader over a segment. */
    static final class Reader {
        private final FileChannel ch;
        private long position;
        private final ByteBuffer header = ByteBuffer.allocate(HEADER);

        Reader(FileChannel ch) {
            this(ch, 0);
        }

        Reader(FileChannel ch, long position) {
            this.ch = ch;
            this.position = position;
        }

        long position() {
            return position;
        }

        /** The next record, or null at a clean end of file. */
        Record next() throws IOException {
            header.clear();
            int n = readFully(header, position);
            if (n == 0) {
                return null;
            }
            if (n < HEADER) {
                throw new CorruptRecordException("truncated header at " + position);
            }
            header.flip();
            int magic = header.get() & 0xff;
            Outbox.Kind kind = Outbox.Kind.of(header.get());
            long index = header.getLong();
            int topicLength = header.getShort() & 0xffff;
            int payloadLength = header.getInt();
            if (magic != MAGIC || kind == null || payloadLength < 0 || payloadLength > MAX_PAYLOAD) {
                throw new CorruptRecordException("bad header at " + position);
            }
            ByteBuffer body = ByteBuffer.allocate(topicLength + payloadLength + 4);
            if (readFully(body, position + HEADER) < body.capacity()) {
                throw new CorruptRecordException("truncated record at " + position);
            }
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 0, HEADER);
            crc.update(body.array(), 0, topicLength + payloadLength);
            body.flip();
            byte[] t = new byte[topicLength];
            byte[] p = new byte[payloadLength];
            body.get(t).get(p);
            if ((int) crc.getValue() != body.getInt()) {
                throw new CorruptRecordException("CRC mismatch at " + position);
            }
            position += HEADER + body.capacity();
            return new Record(index, kind, new String(t, StandardCharsets.UTF_8), p);
        }

        private int readFully(ByteBuffer b, long at) throws IOException {
            int total = 0;
            while (b.hasRemaining()) {
                int n = ch.read(b, at + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        }
    }

}
