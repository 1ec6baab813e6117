package io.nanofleet.agent.cli;

import io.nanofleet.agent.DeviceAgentBuilder;
import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.ota.UpdateChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Model updates for {@code run}: on when enrollment stored a trusted root and the config names the update server
 * (with the detector off, only command models are installed).
 */
final class ModelUpdaters {
    private ModelUpdaters() {}

    /**
     * Gives the builder the agent's update channel, or the reason there is none ({@code ota.disabled}); the
     * builder attaches the updater after the configured model, so an installed update wins.
     */
    static void configure(DeviceAgentBuilder builder, AgentConfig cfg, Credentials creds) throws IOException {
        String server = cfg.string(Settings.OTA_SERVER);
        if (server.isEmpty() || !creds.has(Credentials.ROOT)) {
            return;
        }
        Path state = cfg.path(Settings.STATE_DIR);
        try {
            UpdateChannel.initialize(state, creds.read(Credentials.ROOT).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            // The agent keeps running without updates, and says why in its state.
            builder.updatesDisabled("trusted root from enrollment unusable: " + e.getMessage());
            return;
        }
        builder.updates(UpdateChannel.overHttp(server, state, cfg.string(Settings.DEVICE_ID), cfg.string(Settings.HARDWARE_ID)),
                cfg.longValue(Settings.OTA_HEALTH_SAMPLES));
    }
}
