package io.nanofleet.agent.cli;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.ota.ModelHost;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.transfer.HttpTransport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Model updates for {@code run}: on when enrollment stored a trusted root and the config names the update server. */
final class ModelUpdaters {
    private ModelUpdaters() {}

    static ModelUpdater attach(DeviceAgent agent, AgentConfig cfg, Credentials creds) throws Exception {
        String server = cfg.string(Settings.OTA_SERVER);
        ModelHost host = agent.modelHost();
        if (server.isEmpty() || !creds.has(Credentials.ROOT) || host.activeDetector() == null) {
            return null;
        }
        Path state = cfg.path(Settings.STATE_DIR);
        Path meta = state.resolve("tuf");
        Clock clock = Clock.systemUTC();
        if (!Files.isRegularFile(meta.resolve("root.json"))) {
            try {
                Updater.initialize(meta, creds.read(Credentials.ROOT).getBytes(StandardCharsets.UTF_8), clock);
            } catch (Exception e) {
                // The agent keeps running without updates, and says why in its state.
                host.attribute("ota.disabled", "trusted root from enrollment unusable: " + e.getMessage());
                return null;
            }
        }
        SlotStore slots = new SlotStore(state.resolve("models"));
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "model-update");
            t.setDaemon(true);
            return t;
        });
        String id = cfg.string(Settings.DEVICE_ID);
        String hw = cfg.string(Settings.HARDWARE_ID);
        ModelUpdater[] self = new ModelUpdater[1];
        self[0] = new ModelUpdater(host, a -> new UpdateAgent(
                new Updater(new UpdaterConfig(meta, URI.create(server + "/api/v1/tuf/"), URI.create(server + "/api/v1/targets/")),
                        new HttpFetcher(Duration.ofSeconds(10), Duration.ofSeconds(30)), clock),
                new AssignmentVerifier(id, hw), List.of(new HttpTransport(Duration.ofSeconds(10), Duration.ofSeconds(30))),
                slots, clock, (st, res) -> self[0].listenerFor(a.getTargetName()).accept(st, res)),
                slots, worker, cfg.longValue(Settings.OTA_HEALTH_SAMPLES));
        return self[0].attach();
    }
}
