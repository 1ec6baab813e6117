package io.nanofleet.ota.cli;

import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.repo.KeyFile;
import picocli.CommandLine.Option;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Mixin: where the key password comes from (never a command-line argument, which leaks into ps/history). */
public final class Passwords {
    public static final String ENV = "NANOFLEET_KEY_PASSWORD";

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File whose first line is the key password. Default: $" + ENV + ", else a prompt.")
    Path passwordFile;

    char[] password() throws IOException {
        if (passwordFile != null) {
            String s = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int nl = s.indexOf('\n');
            return (nl >= 0 ? s.substring(0, nl) : s).toCharArray();
        }
        String env = System.getenv(ENV);
        if (env != null) {
            return env.toCharArray();
        }
        Console c = System.console();
        if (c != null) {
            return c.readPassword("key password: ");
        }
        throw new IllegalArgumentException("no key password: use --password-file FILE or set " + ENV);
    }

    List<TufSigner> load(List<Path> keyFiles) throws IOException, KeyFile.KeyFileException {
        List<TufSigner> out = new ArrayList<>();
        if (keyFiles == null || keyFiles.isEmpty()) {
            return out;
        }
        char[] pw = password();
        for (Path p : keyFiles) {
            out.add(KeyFile.read(p, pw));
        }
        java.util.Arrays.fill(pw, '\0');
        return out;
    }
}
