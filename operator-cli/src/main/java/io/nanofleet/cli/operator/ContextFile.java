package io.nanofleet.cli.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The login context: {@code {"server": "...", "token": "..."}} in {@code $XDG_CONFIG_HOME/nanofleet/context.json}
 * (else {@code ~/.config/nanofleet/context.json}), or the file {@code --context} names. The file holds an API
 * token, so it is written owner-only (0600) in an owner-only directory (0700), atomically (a temporary file in
 * the same directory, then a rename), and a file others can read is reported when it is used.
 */
public final class ContextFile {
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    /** What a context holds. */
    public record Context(String server, String token) {
    }

    private final Path path;
    private final boolean defaultLocation;

    private ContextFile(Path path, boolean defaultLocation) {
        this.path = path;
        this.defaultLocation = defaultLocation;
    }

    /** {@code explicit} (from {@code --context}) if given, else the default location for this environment. */
    public static ContextFile locate(Path explicit, Env env) {
        if (explicit != null) {
            return new ContextFile(explicit.toAbsolutePath(), false);
        }
        return new ContextFile(defaultPath(env), true);
    }

    /** {@code $XDG_CONFIG_HOME/nanofleet/context.json} (only an absolute XDG_CONFIG_HOME counts, per the spec), else {@code ~/.config/...}. */
    static Path defaultPath(Env env) {
        String xdg = env.var("XDG_CONFIG_HOME");
        Path base = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg) : env.home().resolve(".config");
        return base.resolve("nanofleet").resolve("context.json");
    }

    public Path path() {
        return path;
    }

    /** The saved context, empty when there is no file. Unreadable or malformed files are errors that name the file. */
    public Optional<Context> read(Env env) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot read the context file " + path + ": " + e.getMessage(),
                    "check its permissions, or log in again: nanofleet login --server URL --token TOKEN");
        }
        warnIfOthersCanRead(env);
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            n = null;
        }
        if (n == null || !n.isObject() || !n.path("server").isTextual()) {
            throw new CliException(ExitCodes.FAILED, "the context file " + path + " is not a nanofleet context (JSON with \"server\" and \"token\")",
                    "log in again to rewrite it: nanofleet login --server URL --token TOKEN (or remove it: nanofleet logout)");
        }
        return Optional.of(new Context(n.path("server").asText(), n.path("token").isTextual() ? n.path("token").asText() : null));
    }

    private void warnIfOthersCanRead(Env env) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(path);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                env.err().println("nanofleet: warning: " + path + " holds an API token and others can read it (mode "
                        + PosixFilePermissions.toString(p) + "); run: chmod 600 " + path);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }

    /** Writes the context: directory 0700 (the default one is tightened if it exists), file 0600, atomically. */
    public void write(Context c) {
        ObjectNode n = Json.MAPPER.createObjectNode().put("server", c.server()).put("token", c.token());
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Path dir = path.getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path tmp = dir.resolve("." + path.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
                } else {
                    Files.createDirectories(dir);
                }
            }
            if (posix && defaultLocation) {
                Files.setPosixFilePermissions(dir, DIR_MODE); // our own directory: owner only, whatever made it
            }
            FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                    : new FileAttribute<?>[0];
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
                if (posix) {
                    Files.setPosixFilePermissions(tmp, FILE_MODE); // whatever the umask
                }
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CliException(ExitCodes.FAILED, "cannot write the context file " + path + ": " + e.getFile() + " is in the way");
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot write the context file " + path + ": " + e,
                    "check that you may write there, or choose another file with --context FILE");
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Removes the file; false when there was none. */
    public boolean delete() {
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot remove the context file " + path + ": " + e.getMessage());
        }
    }
}
