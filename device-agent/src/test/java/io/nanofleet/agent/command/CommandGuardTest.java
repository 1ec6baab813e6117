package io.nanofleet.agent.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.nanofleet.protocols.CommandSignatures;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandGuardTest {
    @TempDir
    Path dir;

    private final KeyPair server = ed25519();
    private final long now = 1_000_000;

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Command signed(String id, String device, long expires) {
        Command c = Command.newBuilder().setDeviceId(device).setCommandId(id).setAction("ping").setExpiresAtMs(expires).build();
        return CommandSignatures.sign(c, server.getPrivate(), CommandSignatures.keyId(server.getPublic()));
    }

    private CommandGuard guard() throws Exception {
        return new CommandGuard("pump-7", server.getPublic(), true, new CommandLog(dir, 16), () -> now);
    }

    @Test
    void acceptsAValidSignedCommandOnce() throws Exception {
        CommandGuard g = guard();
        assertNull(g.check(signed("c1", "pump-7", now + 1000)));
        CommandResult again = g.check(signed("c1", "pump-7", now + 1000));
        assertEquals(CommandResult.Status.DUPLICATE, again.getStatus());
        assertEquals(1, g.refused(CommandGuard.Refusal.DUPLICATE));
    }

    @Test
    void replaysAreRecognisedAfterARestart() throws Exception {
        assertNull(guard().check(signed("c1", "pump-7", now + 1000)));
        CommandGuard restarted = guard();
        assertEquals(CommandResult.Status.DUPLICATE, restarted.check(signed("c1", "pump-7", now + 1000)).getStatus());
    }

    @Test
    void refusesUnsignedForgedExpiredAndForeignCommands() throws Exception {
        CommandGuard g = guard();
        Command unsigned = Command.newBuilder().setDeviceId("pump-7").setCommandId("u").setAction("ping").build();
        assertEquals(CommandResult.Status.REJECTED, g.check(unsigned).getStatus());
        Command tampered = signed("t", "pump-7", now + 1000).toBuilder().setAction("restart").build();
        assertEquals(CommandResult.Status.REJECTED, g.check(tampered).getStatus());
        Command otherKey = CommandSignatures.sign(unsigned.toBuilder().setCommandId("o").build(), ed25519().getPrivate(), "k");
        assertEquals(CommandResult.Status.REJECTED, g.check(otherKey).getStatus());
        Command garbageSig = unsigned.toBuilder().setCommandId("g").setSignature(ByteString.copyFrom(new byte[64])).build();
        assertEquals(CommandResult.Status.REJECTED, g.check(garbageSig).getStatus());
        assertEquals(CommandResult.Status.EXPIRED, g.check(signed("e", "pump-7", now - 1)).getStatus());
        assertSame(CommandGuard.NOT_OURS, g.check(signed("f", "pump-8", now + 1000)));
        assertEquals(1, g.refused(CommandGuard.Refusal.UNSIGNED));
        assertEquals(3, g.refused(CommandGuard.Refusal.BAD_SIGNATURE));
        assertEquals(1, g.refused(CommandGuard.Refusal.EXPIRED));
        assertEquals(1, g.refused(CommandGuard.Refusal.OTHER_DEVICE));
        // None of the refused ids was burnt: the genuine command with a refused id still runs.
        assertNull(g.check(signed("u", "pump-7", now + 1000)));
    }

    @Test
    void requiringSignaturesWithoutAKeyIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> new CommandGuard("d", null, true, new CommandLog(null, 4), () -> 0));
    }

    @Test
    void logCompactsAndKeepsTheNewestIds() throws Exception {
        CommandLog log = new CommandLog(dir, 4);
        for (int i = 0; i < 20; i++) {
            log.add("id" + i);
        }
        log.close();
        CommandLog reopened = new CommandLog(dir, 4);
        assertEquals(true, reopened.contains("id19"));
        assertEquals(false, reopened.contains("id0"));
        reopened.close();
    }
}
