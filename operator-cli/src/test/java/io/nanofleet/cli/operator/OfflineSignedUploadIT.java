package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.sim.DemoModels;
import io.nanofleet.sim.OperatorFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models upload --targets-metadata} against a server with offline keys (the default): nothing can be
 * published before the operator's root is installed; then a model signed with the operator's targets key
 * ({@code nanofleet-ota add-target}, through simulators' {@link OperatorFolder}) is accepted, and metadata that
 * does not list the uploaded file is refused.
 */
class OfflineSignedUploadIT {
    @TempDir
    Path dir;

    @Test
    void noRootThenOfflineSignedUploadsAndTheServersRefusals() throws Exception {
        try (LiveServer live = new LiveServer(dir.resolve("server"), false)) {
            TestEnv cli = new TestEnv(dir).var("NANOFLEET_SERVER", live.url).var("NANOFLEET_TOKEN", live.admin);
            Path model = Files.write(dir.resolve("anomaly-v1.nfm"), DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 1));

            TestEnv.Run empty = cli.run("models", "list");
            assertEquals(0, empty.code(), empty.toString());
            assertTrue(empty.err().startsWith("nanofleet: the update channel has no trusted root yet: "), empty.err());
            TestEnv.Run noRoot = cli.run("models", "upload", model.toString(), "--kind", "anomaly-model", "--hardware-id", "sim",
                    "--release-counter", "1");
            assertEquals(ExitCodes.FAILED, noRoot.code(), noRoot.toString());
            assertTrue(noRoot.err().contains("(HTTP 409 from POST /api/v1/models)"), noRoot.err());

            OperatorFolder operator = OperatorFolder.openOrCreate(dir.resolve("operator"));
            operator.initServerRoot(live.url, live.admin);
            Path signed = operator.sign(model, "models/anomaly-v1.nfm", "sim", 1);
            TestEnv.Run online = cli.run("models", "upload", model.toString(), "--kind", "anomaly-model", "--hardware-id", "sim",
                    "--release-counter", "1");
            assertEquals(ExitCodes.FAILED, online.code(), "no targets key on the server: " + online);

            Path other = Files.write(dir.resolve("other.nfm"), DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 2));
            TestEnv.Run mismatch = cli.run("models", "upload", other.toString(), "--name", "models/anomaly-v1.nfm", "--targets-metadata",
                    signed.toString());
            assertEquals(ExitCodes.FAILED, mismatch.code(), mismatch.toString());
            assertTrue(mismatch.err().contains("(HTTP 400 from POST /api/v1/models)"), mismatch.err());

            TestEnv.Run up = cli.run("models", "upload", model.toString(), "--targets-metadata", signed.toString(), "-o", "json");
            assertEquals(0, up.code(), up.toString());
            assertEquals("models/anomaly-v1.nfm", Json.MAPPER.readTree(up.out()).path("name").asText());
            assertEquals(1, Json.MAPPER.readTree(up.out()).path("releaseCounter").asLong());
            TestEnv.Run list = cli.run("models", "list");
            assertEquals(0, list.code());
            assertEquals("", list.err(), "a root now: no hint");
            assertTrue(list.out().lines().skip(1).findFirst().orElse("").startsWith("models/anomaly-v1.nfm  anomaly-model"), list.out());
        }
    }
}
