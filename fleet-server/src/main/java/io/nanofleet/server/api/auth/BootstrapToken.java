package io.nanofleet.server.api.auth;

import io.nanofleet.server.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;

/**
 * The first admin token. Created when the store has no active admin token, written to
 * {@code <data-dir>/admin-token} with owner-only permissions, so the operator can create named tokens
 * and then delete the file (or revoke this token).
 */
public final class BootstrapToken {
    public static final String FILE = "admin-token";

    private BootstrapToken() {}

    /** Returns the admin token from the data dir, creating one if the store has none. Null if the file was removed. */
    public static String ensure(ApiTokens tokens, Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!tokens.hasActiveAdmin()) {
                ApiTokens.Issued issued = tokens.create("bootstrap-admin", Role.ADMIN);
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, issued.token() + "\n");
                return issued.token();
            }
            return Files.isRegularFile(file) ? Files.readString(file).trim() : null;
        } catch (SQLException e) {
            throw new StartupException("cannot read or create API tokens in the database: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StartupException("cannot write the bootstrap admin token to " + file + ": " + e.getMessage()
                    + ". Choose a writable --data-dir.", e);
        }
    }
}
