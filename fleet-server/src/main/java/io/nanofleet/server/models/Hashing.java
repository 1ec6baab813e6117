package io.nanofleet.server.models;

import io.nanofleet.ota.crypto.Hex;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/** Length and hashes of a file, as TUF targets metadata lists them. */
final class Hashing {
    private Hashing() {}

    static TargetFile describe(Path file, String name, Map<String, Object> custom) throws IOException {
        MessageDigest sha256 = Hashes.digest("sha256");
        MessageDigest sha512 = Hashes.digest("sha512");
        long length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha256.update(buf, 0, n);
                sha512.update(buf, 0, n);
                length += n;
            }
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put("sha256", Hex.encode(sha256.digest()));
        hashes.put("sha512", Hex.encode(sha512.digest()));
        return new TargetFile(name, length, hashes, custom);
    }
}
