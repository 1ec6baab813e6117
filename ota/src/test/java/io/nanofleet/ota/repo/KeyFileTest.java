package io.nanofleet.ota.repo;

import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyFileTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsEveryKeyTypeAndSignaturesVerify() throws Exception {
        for (KeyType t : KeyType.values()) {
            TufSigner s = TufSigner.generate(t);
            Path f = tmp.resolve(t + ".key");
            KeyFile.write(f, s, "pass phrase".toCharArray(), 1000);
            TufSigner back = KeyFile.read(f, "pass phrase".toCharArray());
            assertEquals(s.keyId(), back.keyId());
            byte[] msg = "canonical bytes".getBytes(StandardCharsets.UTF_8);
            assertTrue(s.publicKey().verify(msg, back.signHex(msg)), t.toString());
            assertEquals(s.keyId(), KeyFile.readPublic(f).keyId());
        }
    }

    @Test
    void wrongPasswordAndTamperingAreTypedErrors() throws Exception {
        TufSigner s = TufSigner.generate(KeyType.ED25519);
        Path f = tmp.resolve("k.key");
        KeyFile.write(f, s, "right password".toCharArray(), 1000);
        KeyFile.KeyFileException wrong = assertThrows(KeyFile.KeyFileException.class, () -> KeyFile.read(f, "wrong password".toCharArray()));
        assertTrue(wrong.getMessage().contains("wrong password"));
        // Swap the public half for another key: the AAD (key id) no longer matches.
        Map<String, Object> m = Json.parseObject(Files.readAllBytes(f));
        TufSigner other = TufSigner.generate(KeyType.ED25519);
        m.put("keyid", other.keyId());
        m.put("public", ((Map<?, ?>) other.publicKey().toMetadata().get("keyval")).get("public"));
        Files.write(f, Json.pretty(m));
        assertThrows(KeyFile.KeyFileException.class, () -> KeyFile.read(f, "right password".toCharArray()));
        byte[] ct = Base64.getDecoder().decode((String) Json.parseObject(Files.readAllBytes(f)).get("ciphertext"));
        assertTrue(ct.length > 16, "ciphertext carries the GCM tag");
    }
}
