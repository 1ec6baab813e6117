package io.nanofleet.ota.install;

import io.nanofleet.ota.client.AtomicFiles;
import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.json.JsonFormatException;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two slots ("a", "b") and a pointer file ({@code current.json}) naming the active one. The active slot
 * is never written; an update fills the other slot, fsyncs it, records its hash, and only then replaces
 * the pointer with an fsync'd atomic rename. Power loss at any instant therefore leaves either the old
 * pointer (old slot untouched) or the new one (new slot complete and durable). Opening the store
 * re-hashes the active slot, so a device never starts a model that is not byte-for-byte the verified one.
 * One instance per slot directory and process; not thread-safe (the agent drives updates from one thread).
 */
public final class SlotStore {
    static final String POINTER = "current.json";
    static final String SLOT_INFO = "slot.json";
    static final String PAYLOAD = "payload";
    static final String PART = "payload.part";
    static final String STAGING_INFO = "staging.json";

    private final Path dir;
    private final Storage storage;
    private Pointer pointer;
    private InstalledModel active;

    /** Opens (creating if needed) and verifies the active slot; falls back to the previous one if needed. */
    public SlotStore(Path dir, Storage storage) throws IOException {
        this.dir = dir;
        this.storage = storage;
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        deleteTemporaries(dir);
        this.pointer = readPointer();
        this.active = pointer.active == null ? null : verifySlot(pointer.active, pointer.trial);
        if (pointer.active != null && active == null) {
            // Cannot happen with the write order above unless the medium corrupted data; prefer a
            // verified older model to none.
            InstalledModel prev = pointer.previous == null ? null : verifySlot(pointer.previous, false);
            pointer = new Pointer(prev == null ? null : prev.slot(), null, false, pointer.releaseFloor, pointer.assignmentVersion);
            writePointer(pointer);
            active = prev;
        }
    }

    public SlotStore(Path dir) throws IOException {
        this(dir, Storage.FILES);
    }

    public Optional<InstalledModel> active() {
        return Optional.ofNullable(active);
    }

    /** Release counter of the last confirmed model: installs below it are refused. */
    public long releaseFloor() {
        return pointer.releaseFloor;
    }

    /** Version of the last director assignment acted on (replay protection). */
    public long assignmentVersion() {
        return pointer.assignmentVersion;
    }

    public boolean inTrial() {
        return pointer.trial;
    }

    /**
     * Prepares the inactive slot for {@code target}. A partial download of the same target is kept and
     * resumed; anything else in the slot is removed first (slot.json first, so it never describes stale bytes).
     */
    public Staging stage(TargetFile target) throws IOException {
        if (pointer.trial) {
            throw new IllegalStateException("confirm or roll back the trial model before staging another");
        }
        String slot = "a".equals(pointer.active) ? "b" : "a";
        Path sd = dir.resolve(slot);
        Map<String, Object> info = describe(target);
        if (slot.equals(pointer.previous)) {
            // The rollback copy is being overwritten: forget it before its bytes change.
            pointer = new Pointer(pointer.active, null, false, pointer.releaseFloor, pointer.assignmentVersion);
            writePointer(pointer);
        }
        boolean resume;
        try {
            Object prev = Json.parse(Files.readAllBytes(sd.resolve(STAGING_INFO)));
            resume = info.equals(prev) && Files.exists(sd.resolve(PART));
        } catch (NoSuchFileException | JsonFormatException e) {
            resume = false;
        }
        if (!resume) {
            Files.deleteIfExists(sd.resolve(SLOT_INFO));
            AtomicFiles.fsyncDirectory(sd);
            Files.deleteIfExists(sd.resolve(PAYLOAD));
            Files.deleteIfExists(sd.resolve(PART));
            atomicWrite(sd.resolve(STAGING_INFO), Json.pretty(info));
        } else if (Files.size(sd.resolve(PART)) > target.length()) {
            Files.delete(sd.resolve(PART));
        }
        return new Staging(this, slot, sd, target, storage);
    }

    /**
     * A verified local copy of {@code target}, so that it is not downloaded again. The active slot is returned as
     * it is (only the assignment version is recorded); the inactive slot (e.g. the rollback copy) is made active
     * in trial, as a finished download would be. A slot counts only when its payload has the target's length and
     * every one of its hashes, computed now (never by name or by what slot.json says). Empty when neither holds it.
     */
    public Optional<InstalledModel> reuse(TargetFile target, long assignmentVersion) throws IOException {
        if (pointer.trial) {
            throw new IllegalStateException("confirm or roll back the trial model before staging another");
        }
        if (active != null && holds(active.slot(), target)) {
            Pointer next = new Pointer(pointer.active, pointer.previous, false, pointer.releaseFloor,
                    Math.max(assignmentVersion, pointer.assignmentVersion));
            writePointer(next);
            pointer = next;
            return Optional.of(active);
        }
        String slot = "a".equals(pointer.active) ? "b" : "a";
        if (!holds(slot, target)) {
            return Optional.empty();
        }
        Path sd = dir.resolve(slot);
        Files.deleteIfExists(sd.resolve(PART));
        Files.deleteIfExists(sd.resolve(STAGING_INFO));
        atomicWrite(sd.resolve(SLOT_INFO), Json.pretty(describe(target)));
        activate(slot, assignmentVersion);
        return Optional.of(active);
    }

    private boolean holds(String slot, TargetFile target) throws IOException {
        Path payload = dir.resolve(slot).resolve(PAYLOAD);
        if (!Files.isRegularFile(payload) || Files.size(payload) != target.length()) {
            return false;
        }
        try {
            Map<String, MessageDigest> digests = Hashes.digests(target.hashes());
            hash(payload, digests.values());
            Hashes.check(digests, target.hashes(), target.name());
            return true;
        } catch (TufException.LengthOrHashException e) {
            return false;
        }
    }

    private static void hash(Path file, Collection<MessageDigest> digests) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (MessageDigest d : digests) {
                    d.update(buf, 0, n);
                }
            }
        }
    }

    /** Called by {@link Staging#commit()} once the payload is verified and durable. */
    void activate(String slot, long assignmentVersion) throws IOException {
        InstalledModel m = verifySlot(slot, true);
        if (m == null) {
            throw new IOException("slot " + slot + " does not verify after staging");
        }
        Pointer next = new Pointer(slot, pointer.active, true, pointer.releaseFloor, Math.max(assignmentVersion, pointer.assignmentVersion));
        writePointer(next);
        pointer = next;
        active = m;
    }

    /** The caller's health window passed: keep the new model and raise the anti-rollback floor. */
    public void confirm() throws IOException {
        if (!pointer.trial) {
            return;
        }
        long floor = Math.max(pointer.releaseFloor, active.releaseCounter());
        Pointer next = new Pointer(pointer.active, pointer.previous, false, floor, pointer.assignmentVersion);
        writePointer(next);
        pointer = next;
        active = new InstalledModel(active.slot(), active.name(), active.kind(), active.length(), active.sha256(),
                active.releaseCounter(), active.payload(), false);
    }

    /**
     * Health window failed (or the device restarted during it): go back to the previous verified model. A trial
     * model without a verified predecessor (the device's first update) is discarded: afterwards no slot is
     * active and the device runs what it ran before the update (its factory or configured detector), so a
     * failed trial never leaves the store in trial.
     */
    public void rollback() throws IOException {
        if (!pointer.trial && pointer.previous == null) {
            throw new IllegalStateException("no previous model to roll back to");
        }
        InstalledModel prev = pointer.previous == null ? null : verifySlot(pointer.previous, false);
        if (prev == null && !pointer.trial) {
            throw new IOException("previous slot " + pointer.previous + " no longer verifies; keeping the current model");
        }
        Pointer next = new Pointer(prev == null ? null : prev.slot(), null, false, pointer.releaseFloor, pointer.assignmentVersion);
        writePointer(next);
        pointer = next;
        active = prev;
    }

    Path dir() {
        return dir;
    }

    void atomicWrite(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (Storage.Output out = storage.create(tmp)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.sync();
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncDirectory(target.getParent());
    }

    static Map<String, Object> describe(TargetFile t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("kind", t.kind() == null ? "" : t.kind());
        m.put("length", t.length());
        m.put("hashes", new LinkedHashMap<>(t.hashes()));
        m.put("releaseCounter", t.releaseCounter());
        return m;
    }

    private InstalledModel verifySlot(String slot, boolean trial) throws IOException {
        Path sd = dir.resolve(slot);
        Map<String, Object> info;
        try {
            info = Json.parseObject(Files.readAllBytes(sd.resolve(SLOT_INFO)));
        } catch (NoSuchFileException | JsonFormatException e) {
            return null;
        }
        Path payload = sd.resolve(PAYLOAD);
        Object hashes = info.get("hashes");
        if (!(hashes instanceof Map) || !(((Map<?, ?>) hashes).get("sha256") instanceof String)
                || !(info.get("length") instanceof Long) || !Files.isRegularFile(payload)) {
            return null;
        }
        String sha256 = (String) ((Map<?, ?>) hashes).get("sha256");
        long length = (Long) info.get("length");
        if (Files.size(payload) != length) {
            return null;
        }
        MessageDigest md = Hashes.digest("sha256");
        hash(payload, List.of(md));
        if (!io.nanofleet.ota.crypto.Hex.encode(md.digest()).equalsIgnoreCase(sha256)) {
            return null;
        }
        Object rc = info.get("releaseCounter");
        return new InstalledModel(slot, String.valueOf(info.get("name")), String.valueOf(info.get("kind")), length, sha256,
                rc instanceof Long ? (Long) rc : -1, payload, trial);
    }

    private Pointer readPointer() throws IOException {
        try {
            Map<String, Object> m = Json.parseObject(Files.readAllBytes(dir.resolve(POINTER)));
            return new Pointer((String) m.get("active"), (String) m.get("previous"), Boolean.TRUE.equals(m.get("trial")),
                    m.get("releaseFloor") instanceof Long ? (Long) m.get("releaseFloor") : 0,
                    m.get("assignmentVersion") instanceof Long ? (Long) m.get("assignmentVersion") : 0);
        } catch (NoSuchFileException e) {
            return new Pointer(null, null, false, 0, 0);
        } catch (JsonFormatException | ClassCastException e) {
            // The pointer is only ever replaced by rename, so this means outside tampering or media failure.
            throw new IOException(dir.resolve(POINTER) + " is corrupt: " + e.getMessage(), e);
        }
    }

    private void writePointer(Pointer p) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("active", p.active);
        m.put("previous", p.previous);
        m.put("trial", p.trial);
        m.put("releaseFloor", p.releaseFloor);
        m.put("assignmentVersion", p.assignmentVersion);
        atomicWrite(dir.resolve(POINTER), Json.pretty(m));
    }

    private static void deleteTemporaries(Path d) throws IOException {
        for (Path sub : new Path[] {d, d.resolve("a"), d.resolve("b")}) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(sub, ".*.tmp")) {
                for (Path p : ds) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private record Pointer(String active, String previous, boolean trial, long releaseFloor, long assignmentVersion) {
    }
}
