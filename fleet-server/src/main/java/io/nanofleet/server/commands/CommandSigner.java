package io.nanofleet.server.commands;

import io.nanofleet.protocols.CommandSignatures;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.server.StartupException;
import io.nanofleet.server.identity.Pem;
import io.nanofleet.server.identity.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The server's Ed25519 command key: generated at first start into {@code <data-dir>/command-key.pem}
 * (owner-only), its public half handed to devices at enrollment. Every command the server sends is
 * signed with it ({@link CommandSignatures}), so a device obeys only its own fleet server.
 */
public final class CommandSigner {
    static final String KEY_FILE = "command-key.pem";
    static final String PUB_FILE = "command-key.pub.pem";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private CommandSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = CommandSignatures.keyId(publicKey);
    }

    public static CommandSigner openOrCreate(Path dataDir) {
        Path keyFile = dataDir.resolve(KEY_FILE);
        Path pubFile = dataDir.resolve(PUB_FILE);
        try {
            KeyFactory kf = KeyFactory.getInstance(CommandSignatures.ALGORITHM);
            if (Files.exists(keyFile)) {
                PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(der(Files.readString(keyFile))));
                PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(der(Files.readString(pubFile))));
                return new CommandSigner(priv, pub);
            }
            KeyPair kp = KeyPairGenerator.getInstance(CommandSignatures.ALGORITHM).generateKeyPair();
            SecretFiles.write(keyFile, Pem.encode("PRIVATE KEY", kp.getPrivate().getEncoded()));
            Files.writeString(pubFile, Pem.encode("PUBLIC KEY", kp.getPublic().getEncoded()));
            return new CommandSigner(kp.getPrivate(), kp.getPublic());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new StartupException("cannot load or create the command key in " + dataDir + ": " + e.getMessage()
                    + ". Check --data-dir (" + KEY_FILE + " and " + PUB_FILE + " belong together).", e);
        }
    }

    private static byte[] der(String pem) {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64);
    }

    public Command sign(Command command) {
        return CommandSignatures.sign(command, privateKey, keyId);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicKeyPem() {
        return Pem.encode("PUBLIC KEY", publicKey.getEncoded());
    }

    public String keyId() {
        return keyId;
    }
}
