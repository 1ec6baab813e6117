package io.nanofleet.sim;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.transfer.HttpTransport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;

/** What the tests with real device agents share. */
final class RealAgents {
    private RealAgents() {
    }

    /** The agent's model updater against the server's TUF repository, trusting the root from enrollment. */
    static ModelUpdater updater(DeviceAgent agent, String id, String hardwareId, String base, Credentials creds, Path home,
                                ExecutorService installs) throws Exception {
        Clock clock = Clock.systemUTC();
        Path meta = home.resolve("state").resolve("tuf");
        Updater.initialize(meta, creds.read(Credentials.ROOT).getBytes(StandardCharsets.UTF_8), clock);
        SlotStore slots = new SlotStore(home.resolve("state").resolve("models"));
        SlotStore commandSlots = new SlotStore(home.resolve("state").resolve("command-models"));
        UpdateChannel channel = new UpdateChannel(
                new Updater(new UpdaterConfig(meta, URI.create(base + "/api/v1/tuf/"), URI.create(base + "/api/v1/targets/")),
                        new HttpFetcher(Duration.ofSeconds(10), Duration.ofSeconds(30)), clock),
                new AssignmentVerifier(id, hardwareId), List.of(new HttpTransport(Duration.ofSeconds(10), Duration.ofSeconds(30))),
                slots, commandSlots, clock);
        return new ModelUpdater(agent.modelHost(), channel, installs, 200).attach();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
