package io.nanofleet.ota.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.testing.LocalRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Online publishing ({@link Repository#addTarget}): a published target is immutable, an identical re-publish changes nothing. */
class AddTargetTest {
    @TempDir
    Path tmp;

    LocalRepo local;
    Repository repo;

    @BeforeEach
    void init() throws Exception {
        local = new LocalRepo(tmp);
        repo = local.repo;
    }

    TargetFile add(String name, String content, long releaseCounter) throws Exception {
        Path f = Files.writeString(Files.createTempFile(tmp, "t", ".bin"), content);
        return repo.addTarget(f, name, TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), releaseCounter), "targets",
                List.of(local.key));
    }

    @Test
    void theSameFileAndFieldsAgainChangeNothing() throws Exception {
        TargetFile first = add("models/a.nfm", "model a", 3);
        Map<String, String> before = PublishSignedTargetsTest.tree(tmp.resolve("repo"));
        TargetFile again = add("models/a.nfm", "model a", 3);
        assertEquals(first.hashes(), again.hashes());
        assertEquals(first.custom(), again.custom());
        assertEquals(2, repo.latestVersion("targets"), "no new targets version");
        assertEquals(before, PublishSignedTargetsTest.tree(tmp.resolve("repo")), "nothing written, no staging file left");
    }

    @Test
    void otherBytesUnderAPublishedNameAreRefused() throws Exception {
        add("models/a.nfm", "model a", 3);
        PublishException e = assertRefused(PublishException.Reason.TARGET_IMMUTABLE, "model a, retrained", 4);
        assertEquals("target models/a.nfm is published and immutable; publish under a new name", e.getMessage());
        assertRefused(PublishException.Reason.TARGET_IMMUTABLE, "model a", 4); // same bytes, other fields
        add("models/a-v2.nfm", "model a, retrained", 4); // the way to publish it
    }

    @Test
    void aLowerReleaseCounterForAPublishedNameIsRefused() throws Exception {
        add("models/a.nfm", "model a", 3);
        PublishException e = assertRefused(PublishException.Reason.RELEASE_COUNTER_LOWERED, "model a, older", 2);
        assertTrue(e.getMessage().startsWith("target models/a.nfm is published with release counter 3; 2 would lower it"),
                e.getMessage());
        assertRefused(PublishException.Reason.RELEASE_COUNTER_LOWERED, "model a", 1);
    }

    PublishException assertRefused(PublishException.Reason reason, String content, long releaseCounter) throws Exception {
        Map<String, String> before = PublishSignedTargetsTest.tree(tmp.resolve("repo"));
        PublishException e = assertThrows(PublishException.class, () -> add("models/a.nfm", content, releaseCounter));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, PublishSignedTargetsTest.tree(tmp.resolve("repo")), "nothing written, nothing left behind");
        return e;
    }
}
