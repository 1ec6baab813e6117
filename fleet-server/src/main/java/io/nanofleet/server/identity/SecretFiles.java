package io.nanofleet.server.identity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** Files that hold secrets: created owner-only (0600) before any byte is written. */
public final class SecretFiles {
    private SecretFiles() {}

    public static void write(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
    }

    /** Reads a secret from the file, or creates one with 32 random bytes (base64url) if absent. */
    public static char[] readOrCreatePassword(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file).trim().toCharArray();
        }
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        String s = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Files.createDirectories(file.getParent());
        write(file, s + "\n");
        return s.toCharArray();
    }
}
