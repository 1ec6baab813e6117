package io.nanofleet.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.server.commands.CommandException;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** What a client sees of a failure: domain messages with their status; nothing of an unexpected exception. */
class ApiExceptionTest {
    static Callable<Object> edge(Callable<Object> call) {
        return ApiException.answering(CommandException.class, e -> 418, call);
    }

    @Test
    void domainFailuresKeepTheirMessage() {
        ApiException e = assertThrows(ApiException.class, () -> edge(() -> {
            throw new CommandException(CommandException.Reason.UNKNOWN_DEVICE, "unknown device pump-9");
        }).call());
        assertEquals(418, e.status());
        assertEquals("unknown device pump-9", e.getMessage());
        ApiException edgeMade = new ApiException(400, "field 'model' is required");
        assertSame(edgeMade, assertThrows(ApiException.class, () -> edge(() -> {
            throw edgeMade;
        }).call()));
    }

    @Test
    void unexpectedFailuresGiveOnlyALogReference() throws Exception {
        ApiException e = assertThrows(ApiException.class, () -> edge(() -> {
            throw new IOException("/var/lib/nanofleet/keys/targets.key: permission denied");
        }).call());
        assertEquals(500, e.status());
        assertTrue(e.getMessage().matches("internal error; see the server log \\(ref [0-9a-f]{8}\\)"), e.getMessage());
        assertFalse(e.getMessage().contains("IOException") || e.getMessage().contains("targets.key"));
        assertEquals(500, ApiException.of(new IllegalStateException("boom")).status());
        assertEquals("ok", edge(() -> "ok").call());
    }
}
