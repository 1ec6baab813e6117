package io.nanofleet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndToEndTest {
    @TempDir
    Path dir;

    @Test
    void trainQuantizeSaveLoadRunAutoencoder() throws Exception {
        Model m = TestModels.denseAutoencoder(1);
        float[][] x = TestModels.sines(512, 32, 2);
        Trainer.Report r = new Trainer(m, Trainer.Loss.MSE).learningRate(3e-3f).batchSize(32).epochs(30).seed(3).fit(x, x);
        assertTrue(r.finalLoss() < r.epochLoss()[0] * 0.5, "loss should fall: " + java.util.Arrays.toString(r.epochLoss()));

        Quantizer.Result q = Quantizer.minMax().quantize(m, x);
        assertTrue(q.model().isQuantized());
        assertEquals(q.model().graph().nodes().size(), q.report().size());

        ModelMetadata meta = ModelMetadata.builder().kind("anomaly-autoencoder").channels(List.of("a"))
                .windowLength(32).scaler("mean", new float[]{0.5f}).property("threshold", "0.125").build();
        Path p = dir.resolve("ae.nfm");
        ModelFile.write(q.model().withMetadata(meta), p);
        Model loaded = ModelFile.read(p);
        assertEquals(meta, loaded.metadata());

        Interpreter a = new Interpreter(q.model());
        Interpreter b = new Interpreter(loaded);
        float[] outA = a.run(x[7]).clone();
        float[] outB = b.run(x[7]);
        assertArrayEquals(outA, outB);

        Interpreter f = new Interpreter(m);
        float[] ref = f.run(x[7]);
        double err = 0;
        for (int i = 0; i < ref.length; i++) {
            err = Math.max(err, Math.abs(ref[i] - outB[i]));
        }
        assertTrue(err < 0.1, "int8 close to float, max err " + err);
    }

    @Test
    void classifierLearnsAndConvAutoencoderRuns() {
        Model clf = TestModels.textClassifier(5);
        float[][] ids = TestModels.ids(400, 12, 256, 6);
        int[] labels = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            labels[i] = ((int) ids[i][0]) % 4; // learnable from the first token's bucket
        }
        Trainer.Report r = new Trainer(clf, Trainer.Loss.SOFTMAX_CROSS_ENTROPY).learningRate(1e-2f).epochs(20).seed(1).fit(ids, labels);
        assertTrue(r.finalLoss() < r.epochLoss()[0], "cross-entropy falls");

        Model conv = TestModels.convAutoencoder(7);
        float[][] x = TestModels.sines(64, 128, 8);
        Trainer.Report cr = new Trainer(conv, Trainer.Loss.MSE).learningRate(1e-3f).epochs(5).seed(1).fit(x, x);
        assertTrue(cr.finalLoss() < cr.epochLoss()[0]);
        Quantizer.Result q = Quantizer.percentile(99.9).quantize(conv, x);
        q.report().forEach(e -> assertTrue(Float.isFinite(e.rmse())));
    }
}
