package io.nanofleet.cli.operator;

import io.nanofleet.server.FleetServer;
import io.nanofleet.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A real fleet server in this JVM (embedded HiveMQ on free ports, SQLite in a temp dir), as the fleet server's own ITs start it. */
final class LiveServer implements AutoCloseable {
    final FleetServer server;
    final String url;
    final String admin;

    /** @param onlineTargetsKey the server holds root and targets keys, so models upload without offline signing */
    LiveServer(Path dataDir, boolean onlineTargetsKey) {
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(onlineTargetsKey).httpHost("127.0.0.1").httpPort(0)
                .mqttHost("127.0.0.1").mqttPort(0).mqttsPort(0).coapPort(0).dataDir(dataDir).build()).start();
        url = "http://127.0.0.1:" + server.httpPort();
        admin = server.adminToken();
    }

    /** A new API token with this role (the CLI has no token commands: straight through the API). */
    String token(String name, String role) throws Exception {
        HttpResponse<String> r = TestEnv.HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("POST /api/v1/tokens -> " + r.statusCode() + " " + r.body());
        }
        return Json.MAPPER.readTree(r.body()).path("token").asText();
    }

    @Override
    public void close() {
        server.close();
    }

    static void await(Duration timeout, String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(250);
        }
    }

    static HttpClient http() {
        return TestEnv.HTTP;
    }
}
