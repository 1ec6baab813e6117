package io.nanofleet.server.models;

import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.repo.KeyFile;
import io.nanofleet.server.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The repository's signing keys in {@code <data-dir>/keys/<role>.key}, in the ota CLI's encrypted key
 * format (so an operator can move root.key and targets.key to an offline machine and sign there with
 * the ota CLI). The password comes from {@code NANOFLEET_KEY_PASSWORD}, else from a random
 * {@code keys/password} file generated at set-up (owner-only): that protects copies of the key files,
 * not a compromised server, which is exactly why root and targets keys belong offline.
 */
final class RepositoryKeys {
    static final String ENV = "NANOFLEET_KEY_PASSWORD";
    /** Lower than the CLI's default: the server decrypts its online keys at every start. */
    static final int ITERATIONS = 200_000;
    private final Path dir;
    private final char[] password;

    private RepositoryKeys(Path dir, char[] password) {
        this.dir = dir;
        this.password = password;
    }

    static RepositoryKeys open(Path dataDir) {
        Path dir = dataDir.resolve("keys");
        try {
            Files.createDirectories(dir);
            String env = System.getenv(ENV);
            if (env != null && !env.isEmpty()) {
                return new RepositoryKeys(dir, env.toCharArray());
            }
            Path pw = dir.resolve("password");
            if (!Files.exists(pw)) {
                byte[] r = new byte[24];
                new SecureRandom().nextBytes(r);
                Files.writeString(pw, Base64.getUrlEncoder().withoutPadding().encodeToString(r));
                restrict(pw);
            }
            return new RepositoryKeys(dir, Files.readString(pw, StandardCharsets.UTF_8).trim().toCharArray());
        } catch (IOException e) {
            throw new StartupException("cannot set up the key directory " + dir + ": " + e.getMessage()
                    + ". Check that --data-dir is writable.", e);
        }
    }

    static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX: the data directory's permissions protect it
        }
    }

    boolean has(String role) {
        return Files.exists(file(role));
    }

    Path file(String role) {
        return dir.resolve(role + ".key");
    }

    TufSigner generate(String role) throws IOException {
        TufSigner s = TufSigner.generate(KeyType.ED25519);
        KeyFile.write(file(role), s, password, ITERATIONS);
        return s;
    }

    /** The role's key if this server holds it (an offline role's key may have been moved away). */
    Optional<TufSigner> load(String role) {
        if (!has(role)) {
            return Optional.empty();
        }
        try {
            return Optional.of(KeyFile.read(file(role), password));
        } catch (IOException | KeyFile.KeyFileException e) {
            throw new StartupException("cannot read the " + role + " key " + file(role) + ": " + e.getMessage()
                    + ". Set " + ENV + " to the password it was written with.", e);
        }
    }
}
