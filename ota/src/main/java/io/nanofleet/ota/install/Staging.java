package io.nanofleet.ota.install;

import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Bytes of one target being written into the inactive slot. Every byte is hashed as it is written
 * (bytes already on disk from an interrupted download are re-hashed on open), more bytes than the
 * trusted length are refused at once, and nothing is activated until length and all hashes match.
 */
public final class Staging implements AutoCloseable {
    private final SlotStore store;
    private final String slot;
    private final Path slotDir;
    private final TargetFile target;
    private final Map<String, MessageDigest> digests;
    private final Storage.Output out;
    private long written;

    Staging(SlotStore store, String slot, Path slotDir, TargetFile target, Storage storage) throws IOException {
        this.store = store;
        this.slot = slot;
        this.slotDir = slotDir;
        this.target = target;
        try {
            this.digests = Hashes.digests(target.hashes());
        } catch (TufException.LengthOrHashException e) {
            throw new IOException(e.getMessage(), e);
        }
        Path part = slotDir.resolve(SlotStore.PART);
        if (Files.exists(part)) {
            try (InputStream in = Files.newInputStream(part)) {
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) > 0) {
                    update(ByteBuffer.wrap(buf, 0, n));
                    written += n;
                }
            }
        }
        this.out = storage.append(part);
    }

    /** Bytes already present; a resumable transport continues from here. */
    public long offset() {
        return written;
    }

    public TargetFile target() {
        return target;
    }

    public void write(ByteBuffer b) throws IOException, TufException.LengthOrHashException {
        if (written + b.remaining() > target.length()) {
            throw new TufException.LengthOrHashException(target.name() + ": more than the trusted " + target.length() + " bytes");
        }
        ByteBuffer view = b.duplicate();
        while (b.hasRemaining()) {
            written += out.write(b);
        }
        update(view);
    }

    private void update(ByteBuffer b) {
        for (MessageDigest d : digests.values()) {
            d.update(b.duplicate());
        }
    }

    /**
     * Verifies length and hashes, makes the payload durable, records it, and switches the active slot.
     * On a mismatch the partial file is deleted (a resume would only reproduce the same bad bytes).
     */
    public void commit(long assignmentVersion) throws IOException, TufException.LengthOrHashException {
        if (written != target.length()) {
            throw new TufException.LengthOrHashException(target.name() + ": got " + written + " of " + target.length() + " bytes");
        }
        try {
            Hashes.check(digests, target.hashes(), target.name());
        } catch (TufException.LengthOrHashException e) {
            discard();
            throw e;
        }
        out.sync();
        out.close();
        Files.move(slotDir.resolve(SlotStore.PART), slotDir.resolve(SlotStore.PAYLOAD), StandardCopyOption.ATOMIC_MOVE);
        io.nanofleet.ota.client.AtomicFiles.fsyncDirectory(slotDir);
        store.atomicWrite(slotDir.resolve(SlotStore.SLOT_INFO), Json.pretty(SlotStore.describe(target)));
        Files.deleteIfExists(slotDir.resolve(SlotStore.STAGING_INFO));
        store.activate(slot, assignmentVersion);
    }

    /** Removes the partial payload, e.g. after a hash mismatch or a full disk. */
    public void discard() throws IOException {
        out.close();
        Files.deleteIfExists(slotDir.resolve(SlotStore.PART));
        Files.deleteIfExists(slotDir.resolve(SlotStore.STAGING_INFO));
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
