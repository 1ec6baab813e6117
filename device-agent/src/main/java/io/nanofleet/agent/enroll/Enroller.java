package io.nanofleet.agent.enroll;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Enrolls this device (ARCHITECTURE.md, "Device identity and enrollment"): generates a P-256 key pair, sends
 * a CSR with the one-time token to {@code POST /api/v1/enroll}, checks the answer (certificate for our key and
 * our id) and stores everything owner-only via {@link Credentials}.
 */
public final class Enroller {
    /** What the server answered, as stored. */
    public record Result(String deviceId, String mqttUrl, String coapUrl, String commandKeyId) {}

    private static final JsonFactory JSON = new JsonFactory();
    private final HttpClient http;

    public Enroller(SSLContext serverTrust) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (serverTrust != null) {
            b.sslContext(serverTrust);
        }
        this.http = b.build();
    }

    public Result enroll(String serverUrl, String token, String deviceId, String hardwareId, String agentVersion,
                         Credentials store) throws EnrollmentException, IOException {
        KeyPair keys;
        String csrPem;
        try {
            keys = CsrBuilder.generateKeyPair();
            csrPem = Pem.encode("CERTIFICATE REQUEST", CsrBuilder.build(deviceId, keys));
        } catch (GeneralSecurityException e) {
            throw new EnrollmentException("this JVM cannot make an EC P-256 key: " + e.getMessage(), e);
        }
        StringWriter body = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(body)) {
            g.writeStartObject();
            g.writeStringField("token", token);
            g.writeStringField("csr", csrPem);
            g.writeStringField("hardwareId", hardwareId);
            g.writeStringField("agentVersion", agentVersion);
            g.writeEndObject();
        }
        URI uri = URI.create(serverUrl.replaceAll("/+$", "") + "/api/v1/enroll");
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnrollmentException("interrupted while enrolling");
        } catch (IOException e) {
            throw new EnrollmentException("cannot reach " + uri + ": " + e + " (check --server and the network)", e);
        }
        Map<String, String> fields = new HashMap<>();
        String root = parse(resp.body(), fields);
        if (resp.statusCode() != 200) {
            String err = fields.getOrDefault("error", resp.body());
            String hint = resp.statusCode() == 401 ? " (ask the operator for a new token)"
                    : resp.statusCode() == 409 ? " (this token was already used; ask for a new one)" : "";
            throw new EnrollmentException("server refused enrollment: HTTP " + resp.statusCode() + ": " + err + hint);
        }
        for (String required : new String[] {"deviceId", "certificate", "caCertificate"}) {
            if (!fields.containsKey(required)) {
                throw new EnrollmentException("enrollment answer lacks '" + required + "'");
            }
        }
        if (!deviceId.equals(fields.get("deviceId"))) {
            throw new EnrollmentException("server enrolled '" + fields.get("deviceId") + "', we asked for '" + deviceId + "'");
        }
        try {
            var cert = Pem.certificates(fields.get("certificate")).get(0);
            if (!cert.getPublicKey().equals(keys.getPublic())) {
                throw new EnrollmentException("the issued certificate is not for the key we generated");
            }
            cert.verify(Pem.certificates(fields.get("caCertificate")).get(0).getPublicKey());
            if (fields.containsKey("commandKey")) {
                Pem.publicKey(fields.get("commandKey"), "Ed25519");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new EnrollmentException("enrollment answer does not check out: " + e.getMessage(), e);
        }
        store.writePrivate(Credentials.KEY, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()));
        store.writePrivate(Credentials.CERT, fields.get("certificate"));
        store.writePrivate(Credentials.CA, fields.get("caCertificate"));
        if (fields.containsKey("commandKey")) {
            store.writePrivate(Credentials.COMMAND_KEY, fields.get("commandKey"));
        }
        if (root != null && !root.replaceAll("\\s", "").equals("{}")) {
            store.writePrivate(Credentials.ROOT, root);
        }
        return new Result(deviceId, fields.getOrDefault("mqttUrl", ""), fields.getOrDefault("coapUrl", ""),
                fields.getOrDefault("commandKeyId", ""));
    }

    /** Flat string fields into {@code out}; returns the {@code trustedRoot} object re-serialised, or null. */
    static String parse(String body, Map<String, String> out) throws EnrollmentException {
        String root = null;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new EnrollmentException("server answer is not a JSON object: " + abbreviate(body));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_STRING) {
                    out.put(name, p.getText());
                } else if (t == JsonToken.START_OBJECT && name.equals("trustedRoot")) {
                    StringWriter w = new StringWriter();
                    try (JsonGenerator g = JSON.createGenerator(w)) {
                        g.copyCurrentStructure(p);
                    }
                    root = w.toString();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new EnrollmentException("server answer is not valid JSON: " + abbreviate(body));
        }
        return root;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
