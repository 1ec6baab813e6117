package io.nanofleet.agent.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpServer;
import io.nanofleet.agent.enroll.Pem;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server half of the enrollment contract (ARCHITECTURE.md) on the JDK's HTTP server, for agent-only tests:
 * single-use tokens, CSR signed by {@link TestPki}, Ed25519 command key, a trusted root. The real server's
 * side is tested against the agent in simulators/.
 */
public final class FakeEnrollmentServer implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();
    private final HttpServer http;
    private final TestPki pki;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Set<String> used = ConcurrentHashMap.newKeySet();
    public final KeyPair commandKey;
    public volatile String lastCsr;
    public volatile String mqttUrl = "mqtts://127.0.0.1:8883";

    public FakeEnrollmentServer(TestPki pki) throws Exception {
        this.pki = pki;
        this.commandKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v1/enroll", ex -> {
            try {
                Map<String, String> req = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                String token = req.get("token");
                int status;
                String body;
                if (token == null || !tokens.containsKey(token)) {
                    status = 401;
                    body = "{\"error\":\"unknown or expired token\"}";
                } else if (!used.add(token)) {
                    status = 409;
                    body = "{\"error\":\"token already used\"}";
                } else {
                    lastCsr = req.get("csr");
                    String device = tokens.get(token);
                    String cert = pki.sign(lastCsr, "eku=clientAuth");
                    StringWriter w = new StringWriter();
                    try (JsonGenerator g = JSON.createGenerator(w)) {
                        g.writeStartObject();
                        g.writeStringField("deviceId", device);
                        g.writeStringField("certificate", cert);
                        g.writeStringField("caCertificate", pki.caPem());
                        g.writeStringField("mqttUrl", mqttUrl);
                        g.writeStringField("coapUrl", "coaps://127.0.0.1:5684");
                        g.writeStringField("commandKey", Pem.encode("PUBLIC KEY", commandKey.getPublic().getEncoded()));
                        g.writeStringField("commandKeyId", "k1");
                        g.writeObjectFieldStart("trustedRoot");
                        g.writeObjectFieldStart("signed");
                        g.writeStringField("_type", "root");
                        g.writeNumberField("version", 1);
                        g.writeEndObject();
                        g.writeArrayFieldStart("signatures");
                        g.writeEndArray();
                        g.writeEndObject();
                        g.writeEndObject();
                    }
                    status = 200;
                    body = w.toString();
                }
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(status, b.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(b);
                }
            } catch (Exception e) {
                byte[] b = ("{\"error\":\"" + e.getMessage().replace('"', '\'').replace('\n', ' ') + "\"}").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(400, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            }
        });
        http.start();
    }

    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    public void token(String token, String deviceId) {
        tokens.put(token, deviceId);
    }

    private static Map<String, String> parse(String body) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (JsonParser p = JSON.createParser(body)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String n = p.currentName();
                p.nextToken();
                m.put(n, p.getText());
            }
        }
        return m;
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
