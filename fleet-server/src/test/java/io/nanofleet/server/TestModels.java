package io.nanofleet.server;

import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.anomaly.model.FleetModel;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real model files (.nfm, what the runtime loads) and their multipart upload, for tests of the update API. */
public final class TestModels {
    private TestModels() {}

    /** A detector model for the simulated sensor's default channels, trained on its normal data. */
    public static byte[] anomalyModel(long seed) {
        List<String> channels = SimulatedSensor.DEFAULT_CHANNELS;
        List<float[][]> runs = new ArrayList<>();
        SimulatedSensor s = new SimulatedSensor(channels, seed);
        float[][] rows = new float[1500][channels.size()];
        double[] x = new double[channels.size()];
        for (float[] row : rows) {
            s.read(x);
            for (int c = 0; c < x.length; c++) {
                row[c] = (float) x[c];
            }
        }
        runs.add(rows);
        FleetModel.Trained t = FleetModel.train(runs, DetectorConfig.DEFAULT, 1, 42, 5);
        return DetectorModelFile.toBytes(t.pair().int8Model(), channels, t.defaultCalibration(), DetectorConfig.DEFAULT);
    }

    /** POST /api/v1/models as a multipart form (fields, then the file as "model"). */
    public static HttpResponse<String> upload(String api, Map<String, String> fields, byte[] file, String token) throws Exception {
        String boundary = "nf" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"m.nfm\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + "/models"))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
