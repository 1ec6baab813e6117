package io.nanofleet.ota.repo;

import io.nanofleet.ota.client.AtomicFiles;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufKey;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.json.Json;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A private signing key encrypted at rest with JDK crypto only: PBKDF2-HMAC-SHA256 derives an AES-256
 * key from the password; AES-GCM encrypts the PKCS#8 DER private key with the key id as associated
 * data, so a ciphertext cannot be swapped under another public key. Format (JSON):
 * <pre>
 * {"format":"nanofleet-encrypted-key/1","keytype":..,"scheme":..,"keyid":..,"public":..,
 *  "kdf":{"name":"PBKDF2WithHmacSHA256","iterations":N,"salt":b64},
 *  "cipher":{"name":"AES-256-GCM","iv":b64},"ciphertext":b64(ciphertext||tag)}
 * </pre>
 */
public final class KeyFile {
    public static final String FORMAT = "nanofleet-encrypted-key/1";
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyFile() {
    }

    /** Writes the encrypted key (mode 0600 where POSIX) and returns the public key file content's key id. */
    public static void write(Path file, TufSigner signer, char[] password, int iterations) throws IOException {
        byte[] salt = new byte[16];
        byte[] iv = new byte[12];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(iv);
        byte[] ct;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, derive(password, salt, iterations), new GCMParameterSpec(128, iv));
            c.updateAAD(signer.keyId().getBytes(StandardCharsets.US_ASCII));
            ct = c.doFinal(signer.privateKey().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks AES-GCM/PBKDF2", e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        Map<String, Object> pub = signer.publicKey().toMetadata();
        m.put("keytype", pub.get("keytype"));
        m.put("scheme", pub.get("scheme"));
        m.put("keyid", signer.keyId());
        m.put("public", ((Map<?, ?>) pub.get("keyval")).get("public"));
        Map<String, Object> kdf = new LinkedHashMap<>();
        kdf.put("name", "PBKDF2WithHmacSHA256");
        kdf.put("iterations", (long) iterations);
        kdf.put("salt", Base64.getEncoder().encodeToString(salt));
        m.put("kdf", kdf);
        Map<String, Object> cipher = new LinkedHashMap<>();
        cipher.put("name", "AES-256-GCM");
        cipher.put("iv", Base64.getEncoder().encodeToString(iv));
        m.put("cipher", cipher);
        m.put("ciphertext", Base64.getEncoder().encodeToString(ct));
        AtomicFiles.write(file, Json.pretty(m));
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // non-POSIX file system: rely on the directory's ACLs
        }
    }

    /** Reads only the public half (no password needed), e.g. to list a key in root. */
    public static TufKey readPublic(Path file) throws IOException, KeyFileException {
        Map<String, Object> m = parse(file);
        try {
            return TufKey.fromPublicValue(KeyType.of((String) m.get("keytype"), (String) m.get("scheme")), (String) m.get("public"));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new KeyFileException(file + ": bad public key: " + e.getMessage());
        }
    }

    public static TufSigner read(Path file, char[] password) throws IOException, KeyFileException {
        Map<String, Object> m = parse(file);
        TufKey pub = readPublic(file);
        try {
            Map<?, ?> kdf = (Map<?, ?>) m.get("kdf");
            Map<?, ?> cipher = (Map<?, ?>) m.get("cipher");
            byte[] salt = Base64.getDecoder().decode((String) kdf.get("salt"));
            int iterations = ((Long) kdf.get("iterations")).intValue();
            byte[] iv = Base64.getDecoder().decode((String) cipher.get("iv"));
            byte[] ct = Base64.getDecoder().decode((String) m.get("ciphertext"));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, derive(password, salt, iterations), new GCMParameterSpec(128, iv));
            c.updateAAD(((String) m.get("keyid")).getBytes(StandardCharsets.US_ASCII));
            byte[] pkcs8 = c.doFinal(ct);
            String alg = pub.type() == KeyType.ED25519 ? "Ed25519" : pub.type() == KeyType.ECDSA_P256 ? "EC" : "RSA";
            PrivateKey pk = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            Arrays.fill(pkcs8, (byte) 0);
            TufSigner s = new TufSigner(pub, pk);
            if (!s.keyId().equals(m.get("keyid"))) {
                throw new KeyFileException(file + ": key id does not match the public key");
            }
            return s;
        } catch (AEADBadTagException e) {
            throw new KeyFileException(file + ": wrong password, or the key file was modified");
        } catch (GeneralSecurityException | ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new KeyFileException(file + ": not a valid " + FORMAT + " file (" + e + ")");
        }
    }

    private static Map<String, Object> parse(Path file) throws IOException, KeyFileException {
        Map<String, Object> m = Json.parseObject(Files.readAllBytes(file));
        if (!FORMAT.equals(m.get("format"))) {
            throw new KeyFileException(file + ": not a " + FORMAT + " file");
        }
        return m;
    }

    private static SecretKeySpec derive(char[] password, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return new SecretKeySpec(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded(), "AES");
        } finally {
            spec.clearPassword();
        }
    }

    /** The key file cannot be used: wrong password, tampered, or not a key file. */
    public static final class KeyFileException extends Exception {
        private static final long serialVersionUID = 1L;

        public KeyFileException(String message) {
            super(message);
        }
    }
}
