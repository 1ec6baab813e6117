package io.nanofleet.agent.ota;

import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.install.UpdateState;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.transfer.HttpTransport;
import io.nanofleet.ota.transfer.Transport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One agent's update plumbing, built once: the TUF client of the image repository, the director check, the
 * download transports (with their HTTP clients) and the model slots. Each install gets its own ota
 * {@link UpdateAgent} only because that is where the progress listener goes; the parts behind it are shared.
 */
public final class UpdateChannel {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Updater imageRepo;
    private final AssignmentVerifier verifier;
    private final List<Transport> transports;
    private final SlotStore slots;
    private final Clock clock;

    public UpdateChannel(Updater imageRepo, AssignmentVerifier verifier, List<Transport> transports, SlotStore slots, Clock clock) {
        this.imageRepo = imageRepo;
        this.verifier = verifier;
        this.transports = List.copyOf(transports);
        this.slots = slots;
        this.clock = clock;
    }

    /**
     * The channel of a device served by the fleet server at {@code serverUrl} (TUF metadata under
     * {@code /api/v1/tuf/}, targets under {@code /api/v1/targets/}, over HTTP): metadata in {@code stateDir/tuf}
     * (see {@link #initialize}), model slots in {@code stateDir/models}.
     */
    public static UpdateChannel overHttp(String serverUrl, Path stateDir, String deviceId, String hardwareId) throws IOException {
        Clock clock = Clock.systemUTC();
        return new UpdateChannel(new Updater(new UpdaterConfig(stateDir.resolve("tuf"), URI.create(serverUrl + "/api/v1/tuf/"),
                URI.create(serverUrl + "/api/v1/targets/")), new HttpFetcher(CONNECT_TIMEOUT, REQUEST_TIMEOUT), clock),
                new AssignmentVerifier(deviceId, hardwareId), List.of(new HttpTransport(CONNECT_TIMEOUT, REQUEST_TIMEOUT)),
                new SlotStore(stateDir.resolve("models")), clock);
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

    /** The update agent for one install of a target of one of {@code kinds}, reporting its steps to {@code listener}. */
    UpdateAgent forInstall(Set<TargetKind> kinds, BiConsumer<UpdateState, UpdateResult> listener) {
        return new UpdateAgent(imageRepo, verifier, transports, slots, clock, listener, kinds);
    }

    public SlotStore slots() {
        return slots;
    }
}
