package io.nanofleet.ota.install;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.transfer.Transport;
import io.nanofleet.protocols.v1.Assignment;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The device's update sequence: refresh the image repository, verify the director assignment against
 * it, stream the target into the inactive slot (verifying as it goes), switch, and leave confirm or
 * rollback to the caller's health window. States and results are LwM2M Object 5's.
 */
public final class UpdateAgent {
    private final Updater imageRepo;
    private final AssignmentVerifier verifier;
    private final List<Transport> transports;
    private final SlotStore slots;
    private final Clock clock;
    private final BiConsumer<UpdateState, UpdateResult> listener;
    private final Set<TargetKind> installs;
    private volatile UpdateState state = UpdateState.IDLE;
    private volatile UpdateResult result = UpdateResult.INITIAL;

    public UpdateAgent(Updater imageRepo, AssignmentVerifier verifier, List<Transport> transports, SlotStore slots,
                       Clock clock, BiConsumer<UpdateState, UpdateResult> listener) {
        this(imageRepo, verifier, transports, slots, clock, listener, EnumSet.allOf(TargetKind.class));
    }

    /**
     * As above, installing only targets of the given kinds: any other (e.g. an agent build sent to the anomaly
     * model's slots) is refused with {@link UpdateResult#UNSUPPORTED_PACKAGE_TYPE} before a byte is staged.
     */
    public UpdateAgent(Updater imageRepo, AssignmentVerifier verifier, List<Transport> transports, SlotStore slots,
                       Clock clock, BiConsumer<UpdateState, UpdateResult> listener, Set<TargetKind> installs) {
        this.installs = Set.copyOf(installs);
        this.imageRepo = imageRepo;
        this.verifier = verifier;
        this.transports = List.copyOf(transports);
        this.slots = slots;
        this.clock = clock;
        this.listener = listener;
    }

    public UpdateState state() {
        return state;
    }

    public UpdateResult result() {
        return result;
    }

    /**
     * Applies a signed director assignment, downloading from the image repository's target location.
     * Returns normally only after the new model is active in trial mode; on failure the previously
     * active model is untouched and the exception carries the LwM2M result code.
     */
    public InstalledModel apply(byte[] assignment) throws InstallException {
        return apply(assignment, null);
    }

    /** As {@link #apply(byte[])}, downloading from {@code source} (e.g. a coap:// URI) instead. */
    public InstalledModel apply(byte[] assignment, URI source) throws InstallException {
        return install(() -> verifier.check(assignment, imageRepo, clock.instant(), slots.assignmentVersion(), slots.releaseFloor()),
                source);
    }

    /**
     * Applies the assignment message as it arrives on {@code nf/v1/d/{id}/ota}: as {@link #apply(byte[])} on its
     * signed metadata, and refused (integrity check failure) when its clear target name differs from the signed one.
     */
    public InstalledModel apply(Assignment assignment) throws InstallException {
        return apply(assignment, null);
    }

    /** As {@link #apply(Assignment)}, downloading from {@code source} (e.g. a coap:// URI) instead. */
    public InstalledModel apply(Assignment assignment, URI source) throws InstallException {
        return install(() -> verifier.check(assignment, imageRepo, clock.instant(), slots.assignmentVersion(), slots.releaseFloor()),
                source);
    }

    /** One of the verifier's checks, run after the image repository's refresh. */
    private interface Verification {
        AssignmentVerifier.Verified run() throws TufException, IOException;
    }

    private InstalledModel install(Verification verification, URI source) throws InstallException {
        TargetFile target;
        long assignmentVersion;
        try {
            imageRepo.refresh();
            AssignmentVerifier.Verified v = verification.run();
            target = v.target();
            assignmentVersion = v.assignment().version();
        } catch (TufException.FetchException e) {
            throw fail(UpdateResult.CONNECTION_LOST, "metadata refresh: " + e.getMessage(), e);
        } catch (TufException e) {
            throw fail(UpdateResult.INTEGRITY_CHECK_FAILURE, "refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw fail(UpdateResult.UPDATE_FAILED, "metadata storage: " + e.getMessage(), e);
        }
        if (target.kind() == null) {
            throw fail(UpdateResult.UNSUPPORTED_PACKAGE_TYPE, target.name() + " has no NanoFleet kind", null);
        }
        TargetKind kind;
        try {
            kind = TargetKind.fromWire(target.kind());
        } catch (IllegalArgumentException e) {
            throw fail(UpdateResult.UNSUPPORTED_PACKAGE_TYPE, e.getMessage(), e);
        }
        if (!installs.contains(kind)) {
            throw fail(UpdateResult.UNSUPPORTED_PACKAGE_TYPE, target.name() + " is a " + kind.wireName
                    + " target; this updater installs " + installs.stream().map(k -> k.wireName).sorted().toList(), null);
        }
        // A verified copy on the device (active or inactive slot) is used instead of downloading it again.
        try {
            Optional<InstalledModel> local = slots.reuse(target, assignmentVersion);
            if (local.isPresent()) {
                set(UpdateState.IDLE, UpdateResult.SUCCESS);
                return local.get();
            }
        } catch (IOException e) {
            throw fail(diskResult(e), "reading the slots: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw fail(UpdateResult.UPDATE_FAILED, e.getMessage(), e);
        }
        URI uri;
        try {
            uri = source != null ? source : imageRepo.targetUri(target);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw fail(UpdateResult.INVALID_URI, "no usable target URI: " + e.getMessage(), e);
        }
        if (uri.getScheme() == null) {
            throw fail(UpdateResult.INVALID_URI, "target URI has no scheme: " + uri, null);
        }
        Transport transport = null;
        for (Transport t : transports) {
            if (t.supports(uri.getScheme())) {
                transport = t;
            }
        }
        if (transport == null) {
            throw fail(UpdateResult.UNSUPPORTED_PROTOCOL, "no transport for " + uri.getScheme(), null);
        }
        set(UpdateState.DOWNLOADING, UpdateResult.INITIAL);
        Staging staging = stage(target);
        if (staging.offset() == target.length()) {
            // Every byte is already staged (an earlier attempt stopped before the switch): use it if it verifies.
            try {
                staging.commit(assignmentVersion);
                set(UpdateState.IDLE, UpdateResult.SUCCESS);
                return slots.active().orElseThrow();
            } catch (TufException.LengthOrHashException e) {
                staging = stage(target); // commit removed the bad bytes: fetch them again
            } catch (IOException e) {
                discardQuietly(staging);
                throw fail(diskResult(e), "writing slot: " + e.getMessage(), e);
            }
        }
        try {
            transport.fetch(uri, staging.offset(), staging::write);
            set(UpdateState.DOWNLOADED, UpdateResult.INITIAL);
            set(UpdateState.UPDATING, UpdateResult.INITIAL);
            staging.commit(assignmentVersion);
        } catch (TufException.LengthOrHashException e) {
            discardQuietly(staging);
            throw fail(UpdateResult.INTEGRITY_CHECK_FAILURE, e.getMessage(), e);
        } catch (TufException e) {
            // Keep the partial bytes: the next attempt resumes from them (they are re-hashed then).
            closeQuietly(staging);
            throw fail(UpdateResult.CONNECTION_LOST, e.getMessage(), e);
        } catch (IOException e) {
            discardQuietly(staging);
            throw fail(diskResult(e), "writing slot: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            discardQuietly(staging);
            throw fail(UpdateResult.OUT_OF_RAM, "out of memory during install", null);
        }
        set(UpdateState.IDLE, UpdateResult.SUCCESS);
        return slots.active().orElseThrow();
    }

    private Staging stage(TargetFile target) throws InstallException {
        try {
            return slots.stage(target);
        } catch (IOException e) {
            throw fail(diskResult(e), "cannot prepare slot: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw fail(UpdateResult.UPDATE_FAILED, e.getMessage(), e);
        }
    }

    private static UpdateResult diskResult(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") || m.contains("Disk quota") ? UpdateResult.NOT_ENOUGH_FLASH : UpdateResult.UPDATE_FAILED;
    }

    private InstallException fail(UpdateResult r, String message, Throwable cause) {
        set(UpdateState.IDLE, r);
        return new InstallException(r, message, cause);
    }

    private void set(UpdateState s, UpdateResult r) {
        state = s;
        result = r;
        listener.accept(s, r);
    }

    private static void discardQuietly(Staging s) {
        try {
            s.discard();
        } catch (IOException ignored) {
            // best effort: the next stage() wipes the slot anyway
        }
    }

    private static void closeQuietly(Staging s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing else to do
        }
    }
}
