package io.nanofleet.ota.cli;

import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.repo.KeyFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Generate a signing key, encrypted at rest (PBKDF2-HMAC-SHA256 + AES-256-GCM). Prints the key id.")
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--type", defaultValue = "ed25519", description = "ed25519 (default), ecdsa (P-256) or rsa (PSS).")
    String type;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Encrypted key file to create.")
    Path out;

    @Option(names = "--iterations", defaultValue = "" + KeyFile.DEFAULT_ITERATIONS, description = "PBKDF2 iterations.")
    int iterations;

    @Mixin
    Passwords passwords;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists; refusing to overwrite a key (choose another --out)");
        }
        TufSigner s = TufSigner.generate(KeyType.fromName(type));
        char[] pw = passwords.password();
        if (pw.length < 8) {
            throw new IllegalArgumentException("password must be at least 8 characters");
        }
        KeyFile.write(out, s, pw, iterations);
        System.out.println(s.keyId());
        return 0;
    }
}
