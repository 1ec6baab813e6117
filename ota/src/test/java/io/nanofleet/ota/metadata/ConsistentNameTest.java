package io.nanofleet.ota.metadata;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.testing.LocalRepo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The consistent-snapshot target name rule, and that the repository writes where the client looks. */
class ConsistentNameTest {
    @TempDir
    Path tmp;

    @Test
    void hashGoesBeforeTheLastPathSegment() {
        assertEquals("abc.m.nfm", TargetFile.consistentName("m.nfm", "abc"));
        assertEquals("models/abc.m.nfm", TargetFile.consistentName("models/m.nfm", "abc"));
        assertEquals("a/b/c/abc.m.v2.nfm", TargetFile.consistentName("a/b/c/m.v2.nfm", "abc"));
        assertEquals("dir/abc.", TargetFile.consistentName("dir/", "abc"), "a trailing slash keeps an empty last segment");
    }

    @Test
    void instanceNameUsesTheFirstListedHash() {
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put("sha512", "five12");
        hashes.put("sha256", "two56");
        assertEquals("models/five12.m.nfm", new TargetFile("models/m.nfm", 1, hashes, null).consistentName());
    }

    @Test
    void repositoryWritesTheTargetWhereTheClientFetchesIt() throws Exception {
        LocalRepo local = new LocalRepo(tmp);
        TargetFile t = local.publish("models/edge/m.nfm", "weights");
        String expected = "models/edge/" + t.hashes().get("sha256") + ".m.nfm";
        assertEquals(expected, t.consistentName());
        assertTrue(Files.isRegularFile(local.repo.targetsDir().resolve(expected)));
        Updater u = local.device();
        assertEquals(local.repo.targetsDir().resolve(expected).toUri(), u.targetUri(u.getTargetInfo("models/edge/m.nfm")));
    }
}
