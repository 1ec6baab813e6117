package io.nanofleet.protocols;

import com.google.protobuf.CodedOutputStream;
import io.nanofleet.protocols.v1.Command;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;

/**
 * Server signatures on commands (Ed25519, JDK crypto only, so the device needs no extra provider).
 * The signature covers the command serialised deterministically with {@code signature} cleared and
 * every other field (including key_id, expiry and arguments) as sent, so nothing can be changed or
 * replayed to another device without breaking it. Deterministic serialisation sorts map entries, so a
 * receiver that parses and re-serialises gets the bytes the sender signed.
 */
public final class CommandSignatures {
    public static final String ALGORITHM = "Ed25519";

    private CommandSignatures() {}

    /** The exact bytes that are signed. */
    public static byte[] signedBytes(Command command) {
        Command unsigned = command.toBuilder().clearSignature().build();
        ByteArrayOutputStream out = new ByteArrayOutputStream(unsigned.getSerializedSize());
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        cos.useDeterministicSerialization();
        try {
            unsigned.writeTo(cos);
            cos.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Returns the command with key_id set and signed by {@code key}. */
    public static Command sign(Command command, PrivateKey key, String keyId) {
        Command withKey = Codecs.COMMAND.stamp(command).toBuilder().setKeyId(keyId).clearSignature().build();
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(signedBytes(withKey));
            return withKey.toBuilder().setSignature(com.google.protobuf.ByteString.copyFrom(s.sign())).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key (an Ed25519 private key is needed): " + e.getMessage(), e);
        }
    }

    /** True only when {@code command} carries a valid signature by {@code key}. Never throws for bad input. */
    public static boolean verify(Command command, PublicKey key) {
        if (command.getSignature().isEmpty()) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(signedBytes(command));
            return s.verify(command.getSignature().toByteArray());
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Key id: hex SHA-256 of the public key's X.509 SubjectPublicKeyInfo encoding, first 16 bytes. */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
