package io.nanofleet.ota;

import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.testing.RepoServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Repositories written by other TUF implementations (sigstore's root signing, tuf-on-ci), served over
 * local HTTP exactly as published. Any change inside a signed part, or to any target byte, must fail.
 */
class InteropIT {
    static final Path DATA = io.nanofleet.ota.testing.TufStatic.dir();

    @TempDir
    Path tmp;

    private final HttpFetcher fetcher = new HttpFetcher(Duration.ofSeconds(2), Duration.ofSeconds(5));

    static final class Repo {
        final Path dir;
        final Clock clock;
        final String targetPath;
        final byte[] initialRoot;

        Repo(String name) throws Exception {
            dir = DATA.resolve(name);
            String t = Files.readString(dir.resolve("faketime")).trim().replace(' ', 'T');
            clock = Clock.fixed(OffsetDateTime.parse(t).toInstant(), ZoneOffset.UTC);
            targetPath = Files.readString(dir.resolve("targetpath")).trim();
            initialRoot = Files.readAllBytes(dir.resolve("initial_root.json"));
        }
    }

    private byte[] runClient(Repo repo, RepoServer server, byte[] initialRoot, Path metaDir) throws Exception {
        Updater.initialize(metaDir, initialRoot, repo.clock);
        Updater u = new Updater(new UpdaterConfig(metaDir, server.uri("metadata/"), server.uri("targets/")),
                fetcher, repo.clock);
        u.refresh();
        TargetFile tf = u.getTargetInfo(repo.targetPath);
        return u.downloadTarget(tf);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigstore-root-signing", "tuf-on-ci-0.11"})
    void initializesRefreshesAndDownloads(String name) throws Exception {
        Repo repo = new Repo(name);
        try (RepoServer server = new RepoServer(repo.dir)) {
            byte[] target = runClient(repo, server, repo.initialRoot, tmp.resolve("m"));
            assertTrue(target.length > 0);
            List<String> targetFiles = new ArrayList<>();
            for (String p : server.served()) {
                if (p.startsWith("targets/")) {
                    targetFiles.add(p);
                }
            }
            assertEquals(1, targetFiles.size(), "exactly one target fetched: " + server.served());
            assertArrayEquals(Files.readAllBytes(repo.dir.resolve(targetFiles.get(0))), target);
            assertTrue(Files.exists(tmp.resolve("m/timestamp.json")) && Files.exists(tmp.resolve("m/snapshot.json"))
                    && Files.exists(tmp.resolve("m/targets.json")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigstore-root-signing", "tuf-on-ci-0.11"})
    void anyChangeInsideSignedMetadataFails(String name) throws Exception {
        Repo repo = new Repo(name);
        try (RepoServer server = new RepoServer(repo.dir)) {
            runClient(repo, server, repo.initialRoot, tmp.resolve("baseline"));
            List<String> consumed = new ArrayList<>();
            for (String p : server.served()) {
                if (p.startsWith("metadata/") && !consumed.contains(p)) {
                    consumed.add(p);
                }
            }
            assertTrue(consumed.size() >= 3, "client read timestamp, snapshot and targets: " + consumed);
            int[] run = {0};
            // The trust anchor itself: a changed initial root must not be accepted at init.
            forEachMutation(Json.parseObject(repo.initialRoot), bytes -> {
                assertThrows(TufException.class, () -> Updater.initialize(tmp.resolve("r" + run[0]++), bytes, repo.clock));
            });
            for (String path : consumed) {
                Map<String, Object> doc = Json.parseObject(Files.readAllBytes(repo.dir.resolve(path)));
                int before = run[0];
                forEachMutation(doc, bytes -> {
                    server.reset();
                    server.override(path, bytes);
                    Path meta = tmp.resolve("r" + run[0]++);
                    TufException e = assertThrows(TufException.class, () -> runClient(repo, server, repo.initialRoot, meta),
                            "mutation of " + path + " accepted");
                    assertTrue(e instanceof TufException.SignatureException || e instanceof TufException.LengthOrHashException
                            || e instanceof TufException.FormatException || e instanceof TufException.VersionException
                            || e instanceof TufException.TargetNotFoundException || e instanceof TufException.FetchException,
                            e.toString());
                });
                assertTrue(run[0] - before >= 5, "mutated every signed value of " + path);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigstore-root-signing", "tuf-on-ci-0.11"})
    void anyChangedTargetByteFails(String name) throws Exception {
        Repo repo = new Repo(name);
        try (RepoServer server = new RepoServer(repo.dir)) {
            Updater.initialize(tmp.resolve("m"), repo.initialRoot, repo.clock);
            Updater u = new Updater(new UpdaterConfig(tmp.resolve("m"), server.uri("metadata/"), server.uri("targets/")),
                    new HttpFetcher(), repo.clock);
            u.refresh();
            TargetFile tf = u.getTargetInfo(repo.targetPath);
            String rel = u.targetUri(tf).getPath().substring(1);
            byte[] good = Files.readAllBytes(repo.dir.resolve(rel));
            assertEquals(Hashes.sha256Hex(good), tf.hashes().get("sha256"));
            for (int i = 0; i < good.length; i++) {
                byte[] bad = good.clone();
                bad[i] ^= 0x01;
                server.override(rel, bad);
                assertThrows(TufException.LengthOrHashException.class, () -> u.downloadTarget(tf), "byte " + i);
            }
            server.override(rel, java.util.Arrays.copyOf(good, good.length - 1));
            assertThrows(TufException.LengthOrHashException.class, () -> u.downloadTarget(tf), "truncated");
            server.override(rel, java.util.Arrays.copyOf(good, good.length + 1));
            assertThrows(TufException.LengthOrHashException.class, () -> u.downloadTarget(tf), "extended");
            server.override(rel, good);
            assertArrayEquals(good, u.downloadTarget(tf));
        }
    }

    /** Calls back once per changed leaf value and once per renamed key inside "signed". */
    @SuppressWarnings("unchecked")
    static void forEachMutation(Map<String, Object> doc, ThrowingConsumer sink) throws Exception {
        Map<String, Object> signed = (Map<String, Object>) doc.get("signed");
        List<List<Object>> paths = new ArrayList<>();
        collect(signed, new ArrayList<>(), paths);
        for (List<Object> p : paths) {
            Map<String, Object> copy = (Map<String, Object>) deepCopy(doc);
            Object container = copy.get("signed");
            for (int i = 0; i < p.size() - 1; i++) {
                Object k = p.get(i);
                container = container instanceof Map ? ((Map<String, Object>) container).get(k) : ((List<Object>) container).get((Integer) k);
            }
            Object last = p.get(p.size() - 1);
            if (last instanceof RenameKey) {
                Map<String, Object> m = (Map<String, Object>) container;
                String k = ((RenameKey) last).key;
                Map<String, Object> renamed = new LinkedHashMap<>();
                for (Map.Entry<String, Object> e : m.entrySet()) {
                    renamed.put(e.getKey().equals(k) ? k + "x" : e.getKey(), e.getValue());
                }
                m.clear();
                m.putAll(renamed);
            } else if (container instanceof Map) {
                Map<String, Object> m = (Map<String, Object>) container;
                m.put((String) last, mutate(m.get(last)));
            } else {
                List<Object> l = (List<Object>) container;
                l.set((Integer) last, mutate(l.get((Integer) last)));
            }
            sink.accept(Json.pretty(copy));
        }
    }

    interface ThrowingConsumer {
        void accept(byte[] b) throws Exception;
    }

    static final class RenameKey {
        final String key;

        RenameKey(String key) {
            this.key = key;
        }
    }

    private static void collect(Object node, List<Object> prefix, List<List<Object>> out) {
        if (node instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
                List<Object> rename = new ArrayList<>(prefix);
                rename.add(new RenameKey((String) e.getKey()));
                out.add(rename);
                List<Object> p = new ArrayList<>(prefix);
                p.add(e.getKey());
                collect(e.getValue(), p, out);
            }
        } else if (node instanceof List) {
            List<?> l = (List<?>) node;
            for (int i = 0; i < l.size(); i++) {
                List<Object> p = new ArrayList<>(prefix);
                p.add(i);
                collect(l.get(i), p, out);
            }
        } else {
            out.add(prefix);
        }
    }

    private static Object mutate(Object v) {
        if (v instanceof String) {
            String s = (String) v;
            return s.isEmpty() ? "x" : s.substring(0, s.length() - 1) + (s.charAt(s.length() - 1) == 'a' ? 'b' : 'a');
        }
        if (v instanceof Long) {
            return (Long) v + 1;
        }
        if (v instanceof Boolean) {
            return !(Boolean) v;
        }
        return "null-replaced";
    }

    private static Object deepCopy(Object v) {
        if (v instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                m.put((String) e.getKey(), deepCopy(e.getValue()));
            }
            return m;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object o : (List<?>) v) {
                l.add(deepCopy(o));
            }
            return l;
        }
        return v;
    }


}
