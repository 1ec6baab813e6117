package io.nanofleet.agent.cli;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.ota.ModelHost;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Model updates for {@code run}: on when enrollment stored a trusted root and the config names the update server. */
final class ModelUpdaters {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private ModelUpdaters() {}

    static ModelUpdater attach(DeviceAgent agent, AgentConfig cfg, Credentials creds) throws Exception {
        ModelHost host = agent.modelHost();
        String server = cfg.string(Settings.OTA_SERVER);
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
        UpdateChannel channel = new UpdateChannel(
                new Updater(new UpdaterConfig(meta, URI.create(server + "/api/v1/tuf/"), URI.create(server + "/api/v1/targets/")),
                        new HttpFetcher(CONNECT_TIMEOUT, REQUEST_TIMEOUT), clock),
                new AssignmentVerifier(cfg.string(Settings.DEVICE_ID), cfg.string(Settings.HARDWARE_ID)),
                List.of(new HttpTransport(CONNECT_TIMEOUT, REQUEST_TIMEOUT)), new SlotStore(state.resolve("models")), clock);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "model-update");
            t.setDaemon(true);
            return t;
        });
        return new ModelUpdater(host, channel, worker, cfg.longValue(Settings.OTA_HEALTH_SAMPLES)).attach();
    }
}
