package io.nanofleet.ota.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.ota.cli.OtaCli;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufKey;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.metadata.TargetFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline-keys flow: the operator's {@code init --online-keys} writes only root v1 and targets v1, and a
 * server that holds only the online keys starts its repository from them ({@link Repository#initFromSigned}).
 */
class OfflineInitTest {
    @TempDir
    Path tmp;

    private final Map<String, TufSigner> server = new LinkedHashMap<>();

    private int ota(String... args) throws Exception {
        Path pw = tmp.resolve("pw");
        if (!Files.exists(pw)) {
            Files.writeString(pw, "correct horse battery\n");
        }
        List<String> a = new ArrayList<>(Arrays.asList(args));
        a.addAll(List.of("--password-file", pw.toString()));
        return OtaCli.execute(a.toArray(new String[0]));
    }

    private Path key(String name) throws Exception {
        Path k = tmp.resolve("operator/" + name + ".key");
        Files.createDirectories(k.getParent());
        assertEquals(0, ota("keygen", "--iterations", "1000", "--out", k.toString()));
        return k;
    }

    private Path onlineKeysFile() throws Exception {
        Map<String, TufKey> pub = new LinkedHashMap<>();
        for (String role : OnlineKeys.ROLES) {
            server.computeIfAbsent(role, r -> TufSigner.generate(KeyType.ED25519));
            pub.put(role, server.get(role).publicKey());
        }
        Path f = tmp.resolve("operator/online-keys.json");
        Files.write(f, Json.pretty(OnlineKeys.toJson(pub)));
        return f;
    }

    private Map<String, List<TufKey>> serverPublic() {
        Map<String, List<TufKey>> m = new LinkedHashMap<>();
        server.forEach((role, s) -> m.put(role, List.of(s.publicKey())));
        return m;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void operatorSignsRootOfflineAndServerPublishesWithOnlyOnlineKeys() throws Exception {
        Path root1 = key("root1");
        Path root2 = key("root2");
        Path targets = key("targets");
        Path online = onlineKeysFile();
        Path repo = tmp.resolve("operator/repo");
        // A 2-of-2 root where only one holder is present at init.
        assertEquals(0, ota("init", "--repo", repo.toString(), "--root-key", root1.toString(), "--root-key", root2.toString(),
                "--root-threshold", "2", "--targets-key", targets.toString(), "--online-keys", online.toString(),
                "--signer", root1.toString(), "--signer", targets.toString()));
        assertEquals(List.of("1.root.json", "1.targets.json"), files(repo.resolve("metadata")), "no snapshot or timestamp offline");

        Repository srv = new Repository(tmp.resolve("server"), Clock.systemUTC());
        byte[] rootJson = Files.readAllBytes(repo.resolve("metadata/1.root.json"));
        byte[] targetsJson = Files.readAllBytes(repo.resolve("metadata/1.targets.json"));
        PublishException below = assertThrows(PublishException.class, () -> srv.initFromSigned(rootJson, targetsJson, serverPublic()));
        assertEquals(PublishException.Reason.NOT_ROOT_METADATA, below.reason(), below.getMessage());
        assertTrue(below.getMessage().contains("threshold is 2"), below.getMessage());
        assertTrue(!srv.hasRoot(), "nothing written");

        assertEquals(0, ota("sign", "--repo", repo.toString(), "--role", "root", "--key", root2.toString()));
        byte[] signedRoot = Files.readAllBytes(repo.resolve("metadata/1.root.json"));
        srv.initFromSigned(signedRoot, targetsJson, serverPublic());
        srv.refresh(List.of(server.get("snapshot")), List.of(server.get("timestamp")));
        assertEquals(0, srv.check().size());
        PublishException again = assertThrows(PublishException.class, () -> srv.initFromSigned(signedRoot, targetsJson, serverPublic()));
        assertEquals(PublishException.Reason.ROOT_EXISTS, again.reason());

        // The next model: signed offline with the targets key, published by the server with the online keys.
        Path model = tmp.resolve("model.nfm");
        Files.write(model, "model bytes".getBytes());
        assertEquals(0, ota("add-target", "--repo", repo.toString(), "--file", model.toString(), "--name", "models/m.nfm",
                "--kind", "anomaly-model", "--hardware-id", "rpi4", "--release-counter", "1", "--key", targets.toString()));
        srv.publishSignedTargets(Files.readAllBytes(repo.resolve("metadata/2.targets.json")), Map.of("models/m.nfm", model));
        srv.refresh(List.of(server.get("snapshot")), List.of(server.get("timestamp")));
        List<TargetFile> seen = srv.check();
        assertEquals("models/m.nfm", seen.get(0).name());
    }

    @Test
    void aRootNamingOtherOnlineKeysIsRefusedNamingTheRole() throws Exception {
        Path root = key("root");
        Path targets = key("targets");
        Path online = onlineKeysFile();
        Path repo = tmp.resolve("operator/repo");
        assertEquals(0, ota("init", "--repo", repo.toString(), "--root-key", root.toString(), "--targets-key", targets.toString(),
                "--online-keys", online.toString()));
        TufSigner timestamp = server.put("timestamp", TufSigner.generate(KeyType.ED25519)); // the server's is another one
        Repository srv = new Repository(tmp.resolve("server"), Clock.systemUTC());
        PublishException e = assertThrows(PublishException.class, () -> srv.initFromSigned(
                Files.readAllBytes(repo.resolve("metadata/1.root.json")), Files.readAllBytes(repo.resolve("metadata/1.targets.json")),
                serverPublic()));
        assertEquals(PublishException.Reason.ONLINE_KEYS_DIFFER, e.reason());
        assertTrue(e.getMessage().startsWith("root's timestamp role"), e.getMessage());
        assertTrue(e.getMessage().contains("online-keys"), e.getMessage());

        // Targets signed by a key root does not list for targets.
        Path other = key("other");
        Path repo2 = tmp.resolve("operator/repo2");
        assertEquals(0, ota("init", "--repo", repo2.toString(), "--root-key", root.toString(), "--targets-key", targets.toString(),
                "--online-keys", online.toString(), "--signer", root.toString()));
        assertEquals(0, ota("sign", "--repo", repo2.toString(), "--role", "targets", "--key", other.toString()));
        server.put("timestamp", timestamp);
        PublishException unsigned = assertThrows(PublishException.class, () -> srv.initFromSigned(
                Files.readAllBytes(repo.resolve("metadata/1.root.json")), Files.readAllBytes(repo2.resolve("metadata/1.targets.json")),
                serverPublic()));
        assertEquals(PublishException.Reason.BAD_SIGNATURE, unsigned.reason(), unsigned.getMessage());
        assertTrue(!srv.hasRoot(), "nothing written");
    }

    @Test
    void onlineKeysAndKeyFilesForTheSameRolesAreAUsageError() throws Exception {
        Path root = key("root");
        Path targets = key("targets");
        Path online = onlineKeysFile();
        Path repo = tmp.resolve("operator/repo");
        assertEquals(2, ota("init", "--repo", repo.toString(), "--root-key", root.toString(), "--targets-key", targets.toString(),
                "--online-keys", online.toString(), "--snapshot-key", root.toString()));
        assertEquals(2, ota("init", "--repo", repo.toString(), "--root-key", root.toString(), "--targets-key", targets.toString()),
                "without --online-keys the snapshot and timestamp keys are required");
        Files.writeString(online, Files.readString(online).replaceFirst("\"keyid\" : \"[0-9a-f]{4}", "\"keyid\" : \"0000"));
        assertEquals(1, ota("init", "--repo", repo.toString(), "--root-key", root.toString(), "--targets-key", targets.toString(),
                "--online-keys", online.toString()), "a keyid that is not the key's own is refused");
        assertTrue(!Files.exists(repo.resolve("metadata/1.root.json")));
    }
}
