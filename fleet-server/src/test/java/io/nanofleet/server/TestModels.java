package io.nanofleet.server;

import io.nanofleet.agent.sensor.SimulatedModels;
import io.nanofleet.agent.sensor.SimulatedSensor;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Real model files (.nfm, what the runtime loads) and their multipart upload, for tests of the update API. */
public final class TestModels {
    private TestModels() {}

    /** A detector model for the simulated sensor's default channels, trained on its normal data. */
    public static byte[] anomalyModel(long seed) {
        return SimulatedModels.detector(SimulatedSensor.DEFAULT_CHANNELS, seed, 1);
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
