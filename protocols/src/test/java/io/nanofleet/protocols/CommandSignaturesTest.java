package io.nanofleet.protocols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.nanofleet.protocols.v1.Command;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;

class CommandSignaturesTest {
    static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    static Command command() {
        return Command.newBuilder().setDeviceId("pump-7").setCommandId("c-1").setAction("set-config")
                .setIssuedAtMs(1000).setExpiresAtMs(61_000)
                .putArguments("telemetry.interval", "5s").putArguments("a", "1").putArguments("z", "2").build();
    }

    @Test
    void signedCommandVerifiesAfterTheWire() throws Exception {
        KeyPair k = ed25519();
        Command signed = CommandSignatures.sign(command(), k.getPrivate(), CommandSignatures.keyId(k.getPublic()));
        Command received = Codecs.COMMAND.decode(Codecs.COMMAND.encode(signed));
        assertTrue(CommandSignatures.verify(received, k.getPublic()));
        assertEquals(CommandSignatures.keyId(k.getPublic()), received.getKeyId());
        assertEquals(32, received.getKeyId().length());
    }

    @Test
    void anyChangeBreaksTheSignature() throws Exception {
        KeyPair k = ed25519();
        Command signed = CommandSignatures.sign(command(), k.getPrivate(), "k");
        assertFalse(CommandSignatures.verify(signed.toBuilder().setDeviceId("pump-8").build(), k.getPublic()), "replay to another device");
        assertFalse(CommandSignatures.verify(signed.toBuilder().setExpiresAtMs(999_999).build(), k.getPublic()), "extended expiry");
        assertFalse(CommandSignatures.verify(signed.toBuilder().putArguments("a", "2").build(), k.getPublic()), "changed argument");
        assertFalse(CommandSignatures.verify(signed.toBuilder().setCommandId("c-2").build(), k.getPublic()), "new id");
        assertFalse(CommandSignatures.verify(signed.toBuilder().setKeyId("other").build(), k.getPublic()), "key id is signed too");
    }

    @Test
    void unsignedWrongKeyAndGarbageSignaturesAreRejected() throws Exception {
        KeyPair k = ed25519();
        assertFalse(CommandSignatures.verify(command(), k.getPublic()), "unsigned");
        Command signed = CommandSignatures.sign(command(), k.getPrivate(), "k");
        assertFalse(CommandSignatures.verify(signed, ed25519().getPublic()), "another key");
        assertFalse(CommandSignatures.verify(signed.toBuilder().setSignature(ByteString.copyFrom(new byte[] {1, 2, 3})).build(),
                k.getPublic()), "garbage");
    }

    @Test
    void signedBytesIgnoreMapInsertionOrder() {
        Command a = Command.newBuilder().setCommandId("c").putArguments("x", "1").putArguments("y", "2").build();
        Command b = Command.newBuilder().setCommandId("c").putArguments("y", "2").putArguments("x", "1").build();
        assertArrayEquals(CommandSignatures.signedBytes(a), CommandSignatures.signedBytes(b));
    }
}
