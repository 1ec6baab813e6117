package io.nanofleet.server.models;

import io.nanofleet.ota.crypto.Hex;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.Signing;
import io.nanofleet.ota.repo.TargetKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Targets metadata as an operator signs it offline, built by hand so that it can say anything (the ota
 * tooling itself refuses to replace a published target): the server's newest targets plus {@code name}
 * listing {@code file}, as the next version, signed with {@code key}.
 */
final class OfflineTargets {
    private OfflineTargets() {
    }

    static byte[] next(Path tufDir, TufSigner key, String name, byte[] file, TargetKind kind, long releaseCounter)
            throws Exception {
        Repository server = new Repository(tufDir, Clock.systemUTC());
        Map<String, Object> signed = new LinkedHashMap<>(server.latest("targets").signed());
        @SuppressWarnings("unchecked")
        Map<String, Object> targets = new LinkedHashMap<>((Map<String, Object>) signed.get("targets"));
        Map<String, Object> hashes = new LinkedHashMap<>();
        hashes.put("sha256", Hashes.sha256Hex(file));
        hashes.put("sha512", Hex.encode(Hashes.digest("sha512").digest(file)));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("length", (long) file.length);
        entry.put("hashes", hashes);
        entry.put("custom", kind.custom(List.of("rpi4-arm64"), releaseCounter));
        targets.put(name, entry);
        signed.put("targets", targets);
        signed.put("version", server.latestVersion("targets") + 1);
        signed.put("expires", Clock.systemUTC().instant().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS).toString());
        return Signing.document(signed, List.of(key));
    }
}
