package io.nanofleet.server.coap;

import io.nanofleet.protocols.DeviceId;
import io.nanofleet.server.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-device DTLS pre-shared keys, derived as HMAC-SHA256(master, deviceId) from one master secret
 * generated at set-up into the data directory (owner-only). Deriving instead of storing means no key
 * table to leak or keep in sync, and every server instance that shares the data directory's master
 * agrees. The key handed to a device is the base64url text of the HMAC, so operators can paste it into
 * tools such as libcoap's {@code coap-client -k}, which take the key as text.
 */
public final class CoapKeys {
    static final String FILE = "coap-psk-master.key";
    private final byte[] master;

    private CoapKeys(byte[] master) {
        this.master = master;
    }

    /** Loads the master secret from {@code dataDir}, generating it on first use. */
    public static CoapKeys loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Path tmp = dataDir.resolve(FILE + ".tmp");
                Files.write(tmp, Base64.getEncoder().encode(fresh));
                restrict(tmp);
                Files.move(tmp, file);
            }
            byte[] master = Base64.getDecoder().decode(Files.readAllBytes(file));
            if (master.length < 32) {
                throw new StartupException(file + " holds a key shorter than 32 bytes; delete it to generate a new one "
                        + "(devices then need their new CoAP keys).");
            }
            return new CoapKeys(master);
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException("cannot read or create the CoAP key " + file + ": " + e.getMessage()
                    + ". Check that --data-dir is writable.", e);
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the data directory's own permissions protect it
        }
    }

    /** The device's pre-shared key as text (its UTF-8 bytes are the DTLS PSK). */
    public String pskFor(String deviceId) {
        DeviceId.require(deviceId);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            byte[] h = mac.doFinal(("nanofleet-coap-psk/1:" + deviceId).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(h);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
