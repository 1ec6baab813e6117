package io.nanofleet.sim;

import io.nanofleet.ota.cli.OtaCli;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The operator's side of offline signing, as a newcomer would do it by hand: a folder (not the server's data
 * directory) with the root and targets keys, encrypted at rest by {@code nanofleet-ota keygen}, their password
 * in an owner-only file, and the operator's copy of the repository. Every step runs the ota CLI's own code
 * ({@link OtaCli#execute}) or the server's REST API, exactly as the printed commands do.
 */
public final class OperatorFolder {
    private final Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private OperatorFolder(Path dir) {
        this.dir = dir;
    }

    /** Opens {@code dir}, creating the password file and the root and targets keys if they are not there yet. */
    public static OperatorFolder openOrCreate(Path dir) throws IOException {
        OperatorFolder f = new OperatorFolder(dir);
        Files.createDirectories(dir);
        if (!Files.exists(f.password())) {
            byte[] r = new byte[24];
            new SecureRandom().nextBytes(r);
            Files.writeString(f.password(), Base64.getUrlEncoder().withoutPadding().encodeToString(r) + "\n");
            try {
                Files.setPosixFilePermissions(f.password(), PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not POSIX: the folder's permissions protect it
            }
        }
        for (Path key : List.of(f.rootKey(), f.targetsKey())) {
            if (!Files.exists(key)) {
                f.ota("keygen", "--out", key.toString());
            }
        }
        return f;
    }

    public Path dir() {
        return dir;
    }

    public Path password() {
        return dir.resolve("password");
    }

    public Path rootKey() {
        return dir.resolve("root.key");
    }

    public Path targetsKey() {
        return dir.resolve("targets.key");
    }

    /** The operator's copy of the repository (metadata/N.root.json, N.targets.json). */
    public Path repo() {
        return dir.resolve("repo");
    }

    public Path onlineKeys() {
        return dir.resolve("online-keys.json");
    }

    public boolean hasRoot() {
        return Files.exists(repo().resolve("metadata").resolve("1.root.json"));
    }

    /** The newest targets metadata file in the operator's repository. */
    public Path latestTargets() throws IOException {
        long v = 1;
        while (Files.exists(repo().resolve("metadata").resolve((v + 1) + ".targets.json"))) {
            v++;
        }
        return repo().resolve("metadata").resolve(v + ".targets.json");
    }

    /**
     * Fetches the server's online keys, signs root v1 and targets v1 here ({@code nanofleet-ota init --online-keys})
     * and uploads them ({@code POST /api/v1/tuf/root}). The server never sees the root or targets keys.
     */
    public JsonObject initServerRoot(String apiBase, String token) throws Exception {
        HttpResponse<String> keys = http.send(HttpRequest.newBuilder(URI.create(apiBase + "/api/v1/tuf/online-keys"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        check(keys, 200, "GET /api/v1/tuf/online-keys");
        Files.writeString(onlineKeys(), keys.body());
        ota("init", "--repo", repo().toString(), "--root-key", rootKey().toString(), "--targets-key", targetsKey().toString(),
                "--online-keys", onlineKeys().toString());
        Path meta = repo().resolve("metadata");
        JsonObject body = new JsonObject().put("root", new JsonObject(Files.readString(meta.resolve("1.root.json"))))
                .put("targets", new JsonObject(Files.readString(meta.resolve("1.targets.json"))));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(apiBase + "/api/v1/tuf/root"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        check(r, 201, "POST /api/v1/tuf/root");
        return new JsonObject(r.body());
    }

    /** {@code nanofleet-ota add-target} with the targets key: the next N.targets.json, signed here. */
    public Path sign(Path model, String name, String hardwareId, long releaseCounter) throws Exception {
        return sign(model, name, "anomaly-model", hardwareId, releaseCounter);
    }

    /** As {@link #sign(Path, String, String, long)} for a target of {@code kind} ({@code anomaly-model}, {@code command-model}). */
    public Path sign(Path model, String name, String kind, String hardwareId, long releaseCounter) throws Exception {
        ota("add-target", "--repo", repo().toString(), "--file", model.toString(), "--name", name, "--kind", kind,
                "--hardware-id", hardwareId, "--release-counter", Long.toString(releaseCounter), "--key", targetsKey().toString());
        return latestTargets();
    }

    /** The upload of a model with its offline-signed targets metadata ({@code curl -F model=@.. -F name=.. -F targetsMetadata=@..}). */
    public JsonObject upload(String apiBase, String token, Path model, String name, Path targetsJson) throws Exception {
        HttpResponse<String> r = multipart(http, apiBase + "/api/v1/models", token, Map.of("name", name),
                Map.of("model", Files.readAllBytes(model), "targetsMetadata", Files.readAllBytes(targetsJson)));
        check(r, 201, "POST /api/v1/models");
        return new JsonObject(r.body());
    }

    private void ota(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--password-file");
        a.add(password().toString());
        int rc = OtaCli.execute(a.toArray(new String[0]));
        if (rc != 0) {
            throw new IllegalStateException("nanofleet-ota " + args[0] + " failed (exit " + rc + ")");
        }
    }

    private static void check(HttpResponse<String> r, int expected, String what) {
        if (r.statusCode() != expected) {
            throw new IllegalStateException(what + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** POSTs a multipart form ({@code curl -F name=value -F file=@...}) and returns the answer. */
    public static HttpResponse<String> multipart(HttpClient http, String url, String token, Map<String, String> fields,
                                                 Map<String, byte[]> files) throws IOException, InterruptedException {
        String boundary = "nf-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : new LinkedHashMap<>(fields).entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"; filename=\""
                    + f.getKey() + ".bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(f.getValue());
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }
}
