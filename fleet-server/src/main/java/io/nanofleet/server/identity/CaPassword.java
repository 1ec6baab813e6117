package io.nanofleet.server.identity;

import io.nanofleet.server.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the device CA key's password comes from: --ca-password-file, else NANOFLEET_CA_PASSWORD, else
 * {@code <data-dir>/ca/ca-password}, generated at first start. The last is convenient, not strong:
 * operators who keep backups of the data directory should move the password out of it.
 */
public final class CaPassword {
    public static final String ENV = "NANOFLEET_CA_PASSWORD";

    private CaPassword() {}

    public static char[] resolve(Path passwordFile, Path dataDir) {
        try {
            if (passwordFile != null) {
                return Files.readString(passwordFile).trim().toCharArray();
            }
            String env = System.getenv(ENV);
            if (env != null && !env.isBlank()) {
                return env.toCharArray();
            }
            return SecretFiles.readOrCreatePassword(caDir(dataDir).resolve("ca-password"));
        } catch (IOException e) {
            throw new StartupException("cannot read the CA password: " + e.getMessage()
                    + ". Check --ca-password-file (or set " + ENV + ").", e);
        }
    }

    public static Path caDir(Path dataDir) {
        return dataDir.resolve("ca");
    }
}
