package io.nanofleet.agent.ota;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.install.UpdateState;
import io.nanofleet.ota.transfer.Transport;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One agent's update plumbing, built once: the TUF client of the image repository, the director check, the
 * download transports (with their HTTP clients) and the model slots. Each install gets its own ota
 * {@link UpdateAgent} only because that is where the progress listener goes; the parts behind it are shared.
 */
public final class UpdateChannel {
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

    /** The update agent for one install, reporting its steps to {@code listener}. */
    UpdateAgent forInstall(BiConsumer<UpdateState, UpdateResult> listener) {
        return new UpdateAgent(imageRepo, verifier, transports, slots, clock, listener);
    }

    public SlotStore slots() {
        return slots;
    }
}
