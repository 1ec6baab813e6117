package io.nanofleet.ota.install;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Every byte the slot store writes goes through here, so tests can inject a disk that fills up at a
 * chosen offset and check that nothing half-written survives.
 */
public interface Storage {
    /** Opens for appending (creating if absent). */
    Output append(Path file) throws IOException;

    /** Opens empty (creating or truncating). */
    Output create(Path file) throws IOException;

    /** A write channel that can be made durable. */
    interface Output extends WritableByteChannel {
        long size() throws IOException;

        /** fsync: data and metadata reach the device before this returns. */
        void sync() throws IOException;
    }

    Storage FILES = new Storage() {
        @Override
        public Output append(Path file) throws IOException {
            return wrap(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        }

        @Override
        public Output create(Path file) throws IOException {
            return wrap(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING));
        }

        private Output wrap(FileChannel ch) {
            return new Output() {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    return ch.write(src);
                }

                @Override
                public boolean isOpen() {
                    return ch.isOpen();
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }

                @Override
                public long size() throws IOException {
                    return ch.size();
                }

                @Override
                public void sync() throws IOException {
                    ch.force(true);
                }
            };
        }
    };
}
