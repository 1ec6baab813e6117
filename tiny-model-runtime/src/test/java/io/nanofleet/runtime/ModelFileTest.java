package io.nanofleet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir
    Path dir;

    private static Model sample() {
        Model m = TestModels.denseAutoencoder(3);
        return m.withMetadata(ModelMetadata.builder().kind("anomaly-autoencoder").channels(List.of("Current", "Voltage"))
                .windowLength(16).scaler("mean", new float[]{1f, 2f}).scaler("std", new float[]{0.5f, 0.25f})
                .labels(List.of("normal", "anomaly")).property("threshold", "0.0421").build());
    }

    @Test
    void floatAndInt8RoundTripExactly() throws Exception {
        Model m = sample();
        float[][] x = TestModels.gaussian(64, 32, 1);
        Model q = Quantizer.minMax().quantize(m, x).model();
        for (Model model : new Model[]{m, q}) {
            Path p = dir.resolve("m.nfm");
            ModelFile.write(model, p);
            Model back = ModelFile.read(p);
            assertEquals(model.metadata(), back.metadata());
            assertArrayEquals(ModelFile.toBytes(model), ModelFile.toBytes(back), "re-encoding is byte-identical");
            assertArrayEquals(new Interpreter(model).run(x[0]), new Interpreter(back).run(x[0]));
        }
    }

    @Test
    void everyTruncationFailsCleanly() {
        byte[] b = ModelFile.toBytes(sample());
        for (int len = 0; len < b.length; len += 7) {
            byte[] cut = java.util.Arrays.copyOf(b, len);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.fromBytes(cut));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("shorter") || e.getMessage().contains("magic"), e.getMessage());
        }
    }

    @Test
    void corruptionIsCaughtByTheHash() {
        byte[] b = ModelFile.toBytes(sample());
        b[b.length / 2] ^= 0x40;
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.fromBytes(b));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void futureVersionIsRejectedWithAClearMessage() {
        byte[] b = ModelFile.toBytes(sample());
        b[4] = 2;
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.fromBytes(b));
        assertTrue(e.getMessage().contains("version 2 is newer") && e.getMessage().contains("upgrade"), e.getMessage());
    }

    @Test
    void hugeDeclaredSizesNeverAllocate() {
        // A correctly hashed file that declares 2^31-1 channels: must fail on the count, not try to allocate.
        ModelWriter w = header();
        w.str("kind");
        w.u32(Integer.MAX_VALUE);
        assertRejected(sign(w), "exceeds the limit");
        // Under the cap but more than the bytes present.
        w = header();
        w.str("kind");
        w.u32(60_000);
        assertRejected(sign(w), "truncated");
        // A float array claiming 16M elements in a tiny file.
        w = header();
        w.str("");
        w.u32(0);
        w.u32(0);
        w.u32(1);
        w.str("mean");
        w.u32(16 * 1024 * 1024);
        assertRejected(sign(w), "truncated");
    }

    @Test
    void cyclesAreRejected() {
        ModelWriter w = header();
        emptyMetadata(w);
        w.u32(3); // values: x, a, b
        for (String n : new String[]{"x", "a", "b"}) {
            w.str(n);
            w.u8(0);
            w.u8(1);
            w.u32(4);
        }
        w.u32(2); // nodes: a = b + x, b = relu(a)
        node(w, 7, "add", new int[]{2, 0}, 1);
        node(w, 3, "relu", new int[]{1}, 2);
        w.ints(new int[]{0});
        w.ints(new int[]{2});
        assertRejected(sign(w), "cycle");
    }

    @Test
    void oversizedFileIsRejectedBeforeReading() throws Exception {
        Path p = dir.resolve("big.nfm");
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{1}), ModelFile.MAX_FILE_BYTES); // sparse file just over the cap
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(p));
        assertTrue(e.getMessage().contains("capped"), e.getMessage());
        Files.delete(p);
    }

    @Test
    void resignedRandomMutationsOnlyEverFailWithModelFormatException() throws Exception {
        Model q = Quantizer.minMax().quantize(sample(), TestModels.gaussian(32, 32, 2)).model();
        byte[] good = ModelFile.toBytes(q);
        SplittableRandom r = new SplittableRandom(5);
        int parsed = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] b = good.clone();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) {
                b[ModelFile.HEADER_BYTES + r.nextInt(b.length - ModelFile.HEADER_BYTES - ModelFile.HASH_BYTES)] = (byte) r.nextInt(256);
            }
            resign(b);
            try {
                Model m = ModelFile.fromBytes(b);
                Interpreter it = new Interpreter(m);
                it.run();
                parsed++;
            } catch (ModelFormatException expected) {
                // the only acceptable failure
            }
        }
        assertTrue(parsed > 0, "some mutations only touch weights and still load");
    }

    private static void assertRejected(byte[] file, String fragment) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.fromBytes(file));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static ModelWriter header() {
        ModelWriter w = new ModelWriter();
        w.bytes(ModelFile.MAGIC);
        w.u16(ModelFile.FORMAT_VERSION);
        w.u16(0);
        w.u32(0);
        return w;
    }

    private static void emptyMetadata(ModelWriter w) {
        w.str("");
        w.u32(0);
        w.u32(0);
        w.u32(0);
        w.u32(0);
        w.u32(0);
    }

    private static void node(ModelWriter w, int op, String name, int[] inputs, int output) {
        w.u16(op);
        w.str(name);
        w.ints(inputs);
        w.i32(output);
        w.ints(new int[0]);
        w.u8(0);
        w.u16(0);
    }

    /** Patches the payload length and appends a valid SHA-256, as an attacker who can write files could. */
    private static byte[] sign(ModelWriter w) {
        byte[] body = w.toByteArray();
        byte[] out = java.util.Arrays.copyOf(body, body.length + ModelFile.HASH_BYTES);
        resign(out);
        return out;
    }

    private static void resign(byte[] file) {
        int bodyLen = file.length - ModelFile.HASH_BYTES;
        ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(bodyLen - ModelFile.HEADER_BYTES);
        System.arraycopy(ModelFile.sha256(file, bodyLen), 0, file, bodyLen, ModelFile.HASH_BYTES);
    }
}
