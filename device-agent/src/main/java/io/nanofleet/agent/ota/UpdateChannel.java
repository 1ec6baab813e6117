package io.nanofleet.agent.ota;

import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.install.UpdateState;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.transfer.HttpTransport;
import io.nanofleet.ota.transfer.Transport;
import io.nanofleet.protocols.v1.Assignment;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One agent's update plumbing, built once: the TUF client of the image repository, the director check, the
 * download transports (with their HTTP clients) and the model slots, one A/B {@link SlotStore} per model kind
 * (anomaly model, command model), so that one kind's install, trial and rollback never touch the other's. Each
 * install gets its own ota {@link UpdateAgent} only because that is where the progress listener goes; the parts
 * behind it are shared. Not for concurrent installs: {@link ModelUpdater} runs one at a time.
 */
public final class UpdateChannel {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Updater imageRepo;
    private final AssignmentVerifier verifier;
    private final List<Transport> transports;
    private final SlotStore slots;
    private final SlotStore commandSlots;
    private final Clock clock;

    /** A channel for anomaly models only: command-model targets are refused (unsupported package type). */
    public UpdateChannel(Updater imageRepo, AssignmentVerifier verifier, List<Transport> transports, SlotStore slots, Clock clock) {
        this(imageRepo, verifier, transports, slots, null, clock);
    }

    /**
     * @param slots        the anomaly model's slots
     * @param commandSlots the command model's slots (another directory), or null: no command-model updates
     */
    public UpdateChannel(Updater imageRepo, AssignmentVerifier verifier, List<Transport> transports, SlotStore slots,
                         SlotStore commandSlots, Clock clock) {
        this.imageRepo = imageRepo;
        this.verifier = verifier;
        this.transports = List.copyOf(transports);
        this.slots = slots;
        this.commandSlots = commandSlots;
        this.clock = clock;
    }

    /**
     * The channel of a device served by the fleet server at {@code serverUrl} (TUF metadata under
     * {@code /api/v1/tuf/}, targets under {@code /api/v1/targets/}, over HTTP): metadata in {@code stateDir/tuf}
     * (see {@link #initialize}), anomaly model slots in {@code stateDir/models}, command model slots in
     * {@code stateDir/command-models}.
     */
    public static UpdateChannel overHttp(String serverUrl, Path stateDir, String deviceId, String hardwareId) throws IOException {
        Clock clock = Clock.systemUTC();
        return new UpdateChannel(new Updater(new UpdaterConfig(stateDir.resolve("tuf"), URI.create(serverUrl + "/api/v1/tuf/"),
                URI.create(serverUrl + "/api/v1/targets/")), new HttpFetcher(CONNECT_TIMEOUT, REQUEST_TIMEOUT), clock),
                new AssignmentVerifier(deviceId, hardwareId), List.of(new HttpTransport(CONNECT_TIMEOUT, REQUEST_TIMEOUT)),
                new SlotStore(stateDir.resolve("models")), new SlotStore(stateDir.resolve("command-models")), clock);
    }

    /**
     * Trusts {@code root} (checked to be a self-signed TUF root) for the channel in {@code stateDir}, unless a
     * trusted root is already there (it may have rotated since).
     */
    public static void initialize(Path stateDir, byte[] root) throws IOException {
        Path meta = stateDir.resolve("tuf");
        if (Files.isRegularFile(meta.resolve("root.json"))) {
            return;
        }
        try {
            Updater.initialize(meta, root, Clock.systemUTC());
        } catch (TufException e) {
            throw new IOException("trusted root unusable: " + e.getMessage(), e);
        }
    }

    /**
     * The update agent for one install of a {@code kind} target into that kind's slots, reporting its steps to
     * {@code listener}. It installs nothing but {@code kind}: a target of another kind is refused (result 6)
     * before anything is staged, whatever {@link #kindOf} said.
     */
    UpdateAgent forInstall(TargetKind kind, BiConsumer<UpdateState, UpdateResult> listener) {
        SlotStore s = slotsFor(kind);
        if (s == null) {
            throw new IllegalArgumentException("no slots for " + kind.wireName + " targets on this channel");
        }
        return new UpdateAgent(imageRepo, verifier, transports, s, clock, listener, Set.of(kind));
    }

    /** The slots of {@code kind}'s models, or null when this channel does not install that kind. */
    SlotStore slotsFor(TargetKind kind) {
        return switch (kind) {
            case ANOMALY_MODEL -> slots;
            case COMMAND_MODEL -> commandSlots;
            default -> null;
        };
    }

    /**
     * Which kind of target {@code a} assigns, for routing it to that kind's slots: the director's signature is
     * checked and the target looked up in the freshly refreshed image repository, so the answer is a signed fact;
     * empty when any of that fails (the install then fails with the real reason). Only routing: the install
     * checks everything again, the replay floor of the kind's slots included.
     */
    Optional<TargetKind> kindOf(Assignment a) {
        try {
            imageRepo.refresh();
            DirectorAssignment d = verifier.parse(a, imageRepo.root(), clock.instant(), 0);
            String kind = imageRepo.getTargetInfo(d.targetName()).kind();
            return kind == null ? Optional.empty() : Optional.of(TargetKind.fromWire(kind));
        } catch (TufException | IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The anomaly model's slots. */
    public SlotStore slots() {
        return slots;
    }

    /** The command model's slots, or null when this channel takes no command models. */
    public SlotStore commandSlots() {
        return commandSlots;
    }
}
