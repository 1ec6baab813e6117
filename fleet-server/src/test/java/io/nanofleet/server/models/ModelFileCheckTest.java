package io.nanofleet.server.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.ota.repo.TargetKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an upload must be to be published: a detector model the runtime loads, with a usable input schema, or a
 * command model its own reader loads.
 */
class ModelFileCheckTest {
    static final List<String> CHANNELS = List.of("Accelerometer1RMS", "Current", "Pressure");

    @TempDir
    Path dir;

    Path write(byte[] bytes) throws Exception {
        return Files.write(Files.createTempFile(dir, "upload", ".bin"), bytes);
    }

    ModelException refused(ModelException.Reason reason, byte[] bytes, TargetKind kind) throws Exception {
        Path f = write(bytes);
        ModelException e = assertThrows(ModelException.class, () -> ModelFileCheck.check(f, kind));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(400, ModelRoutes.status(e.reason()));
        assertTrue(!e.getMessage().contains(dir.toString()), "no server paths in the message: " + e.getMessage());
        return e;
    }

    @Test
    void aDetectorModelPasses() throws Exception {
        ModelFileCheck.check(write(TestModels.anomaly(CHANNELS, 8, 1)), TargetKind.ANOMALY_MODEL);
    }

    @Test
    void randomBytesAreNotAModel() throws Exception {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        ModelException e = refused(ModelException.Reason.INVALID_MODEL, noise, TargetKind.ANOMALY_MODEL);
        assertTrue(e.getMessage().startsWith("the uploaded file is not an anomaly model the device runtime can load: "),
                e.getMessage());
        refused(ModelException.Reason.INVALID_MODEL, new byte[0], TargetKind.ANOMALY_MODEL);
        byte[] good = TestModels.anomaly(CHANNELS, 8, 1);
        refused(ModelException.Reason.INVALID_MODEL, java.util.Arrays.copyOf(good, good.length / 2), TargetKind.ANOMALY_MODEL);
    }

    @Test
    void channelsThatDoNotDescribeTheInputAreRefused() throws Exception {
        ModelException e = refused(ModelException.Reason.INVALID_MODEL, TestModels.withSchema(CHANNELS, 2, 8, 1),
                TargetKind.ANOMALY_MODEL);
        assertTrue(e.getMessage().contains("model input has 2 values but the metadata describes 3 channels"), e.getMessage());
        e = refused(ModelException.Reason.INVALID_MODEL, TestModels.anomaly(List.of("Current", "Current"), 8, 1),
                TargetKind.ANOMALY_MODEL);
        assertTrue(e.getMessage().contains("distinct, non-blank"), e.getMessage());
        refused(ModelException.Reason.INVALID_MODEL, TestModels.anomaly(List.of("Current", " "), 8, 1), TargetKind.ANOMALY_MODEL);
    }

    @Test
    void aCommandModelMustLoadAsOne() throws Exception {
        byte[] shipped = CommandModel.bundled().toBytes();
        ModelFileCheck.check(write(shipped), TargetKind.COMMAND_MODEL);
        // An anomaly model is a valid model file of another kind: refused as a command model, and the reverse.
        ModelException e = refused(ModelException.Reason.INVALID_MODEL, TestModels.anomaly(CHANNELS, 8, 1), TargetKind.COMMAND_MODEL);
        assertTrue(e.getMessage().startsWith("the uploaded file is not a command model the device runtime can load: "), e.getMessage());
        assertTrue(e.getMessage().contains("not a command-model"), e.getMessage());
        refused(ModelException.Reason.INVALID_MODEL, shipped, TargetKind.ANOMALY_MODEL);
        byte[] noise = new byte[4096];
        new Random(9).nextBytes(noise);
        refused(ModelException.Reason.INVALID_MODEL, noise, TargetKind.COMMAND_MODEL);
        refused(ModelException.Reason.INVALID_MODEL, java.util.Arrays.copyOf(shipped, shipped.length - 10), TargetKind.COMMAND_MODEL);
    }

    @Test
    void kindsWithoutALoaderAreRefused() throws Exception {
        ModelException e = refused(ModelException.Reason.UNSUPPORTED_KIND, "PK\u0003\u0004 agent.jar".getBytes(), TargetKind.AGENT);
        assertEquals("kind agent cannot be validated by this server yet; only anomaly-model and command-model targets can be uploaded",
                e.getMessage());
    }
}
