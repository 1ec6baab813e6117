package io.nanofleet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.command.CommandDispatcher;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CommandDispatcherTest {
    final AtomicLong now = new AtomicLong(10_000);
    final AtomicInteger runs = new AtomicInteger();
    final CommandDispatcher d = new CommandDispatcher(now::get).register("ping", c -> {
        runs.incrementAndGet();
        return CommandResult.newBuilder().setCommandId(c.getCommandId()).setStatus(CommandResult.Status.OK).build();
    });

    static Command cmd(String id, String action, long expires) {
        return Command.newBuilder().setDeviceId("d").setCommandId(id).setAction(action).setExpiresAtMs(expires).build();
    }

    @Test
    void runsOnceAndReportsDuplicates() {
        assertEquals(CommandResult.Status.OK, d.dispatch(cmd("c1", "ping", 20_000)).getStatus());
        assertEquals(CommandResult.Status.DUPLICATE, d.dispatch(cmd("c1", "ping", 20_000)).getStatus());
        assertEquals(1, runs.get(), "a redelivered command must not run twice");
        assertEquals(1, d.refusedCount());
    }

    @Test
    void refusesExpired() {
        CommandResult r = d.dispatch(cmd("c2", "ping", 9_000));
        assertEquals(CommandResult.Status.EXPIRED, r.getStatus());
        assertTrue(r.getMessage().contains("1000 ms ago"), r.getMessage());
        assertEquals(0, runs.get());
    }

    @Test
    void refusesUnknownActionsNamingWhatIsSupported() {
        CommandResult r = d.dispatch(cmd("c3", "format-disk", 20_000));
        assertEquals(CommandResult.Status.REJECTED, r.getStatus());
        assertTrue(r.getMessage().contains("ping"), r.getMessage());
    }

    @Test
    void handlerFailureBecomesFailedResult() {
        d.register("boom", c -> {
            throw new IllegalStateException("sensor bus stuck");
        });
        CommandResult r = d.dispatch(cmd("c4", "boom", 20_000));
        assertEquals(CommandResult.Status.FAILED, r.getStatus());
        assertEquals("sensor bus stuck", r.getMessage());
    }
}
