package io.nanofleet.server.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The REST edge's status for each typed command refusal. */
class CommandRoutesTest {
    @Test
    void everyReasonHasItsStatus() {
        Map<CommandException.Reason, Integer> expected = new EnumMap<>(CommandException.Reason.class);
        expected.put(CommandException.Reason.UNKNOWN_DEVICE, 404);
        expected.put(CommandException.Reason.NO_MATCHING_DEVICE, 404);
        expected.put(CommandException.Reason.TOO_MANY_DEVICES, 400);
        expected.put(CommandException.Reason.REVOKED_DEVICE, 409);
        assertEquals(CommandException.Reason.values().length, expected.size(), "a new reason needs its status here");
        expected.forEach((reason, status) -> assertEquals(status, CommandRoutes.status(reason), reason.name()));
    }
}
