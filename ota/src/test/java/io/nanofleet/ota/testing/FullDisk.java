package io.nanofleet.ota.testing;

import io.nanofleet.ota.install.Storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** A disk with {@code free} bytes left: writes past that fail the way Linux reports ENOSPC. */
public final class FullDisk implements Storage {
    private final AtomicLong free;

    public FullDisk(long free) {
        this.free = new AtomicLong(free);
    }

    @Override
    public Output append(Path file) throws IOException {
        return limit(Storage.FILES.append(file));
    }

    @Override
    public Output create(Path file) throws IOException {
        return limit(Storage.FILES.create(file));
    }

    private Output limit(Output real) {
        return new Output() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                long left = free.get();
                if (left <= 0) {
                    throw new IOException("No space left on device");
                }
                if (src.remaining() > left) {
                    ByteBuffer part = src.duplicate();
                    part.limit(part.position() + (int) left);
                    int n = real.write(part);
                    src.position(src.position() + n);
                    free.addAndGet(-n);
                    return n;
                }
                int n = real.write(src);
                free.addAndGet(-n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return real.isOpen();
            }

            @Override
            public void close() throws IOException {
                real.close();
            }

            @Override
            public long size() throws IOException {
                return real.size();
            }

            @Override
            public void sync() throws IOException {
                real.sync();
            }
        };
    }
}
