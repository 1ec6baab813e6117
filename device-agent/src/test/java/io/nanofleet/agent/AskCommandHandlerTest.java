package io.nanofleet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.ask.AskOptions;
import io.nanofleet.agent.ask.AskService;
import io.nanofleet.agent.ask.Fakes;
import io.nanofleet.agent.ask.PendingQueries;
import io.nanofleet.agent.command.CommandDispatcher;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fleet's {@code ask} command: the same service as the operator's, its answer in the command result. */
class AskCommandHandlerTest {
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final Fakes.Target target = new Fakes.Target(System::currentTimeMillis);
    final Fakes.Link link = new Fakes.Link();
    final CommandDispatcher d = new CommandDispatcher(System::currentTimeMillis);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    AskCommandHandlerTest() throws Exception {
        AgentCommands.registerAsk(new AskService("d", AskOptions.of(CommandModel.bundled()), target, null, link,
                PendingQueries.at(null), e -> {}, System::currentTimeMillis, scheduler), d);
    }

    private CommandResult ask(Map<String, String> args) {
        return d.dispatch(Command.newBuilder().setDeviceId("d").setCommandId(UUID.randomUUID().toString()).setAction("ask")
                .putAllArguments(args).build());
    }

    @Test
    void answeredHereHandedBackOrConfirmed() {
        CommandResult status = ask(Map.of("text", "what is the status of the device"));
        assertEquals(CommandResult.Status.OK, status.getStatus());
        assertTrue(status.getMessage().startsWith("connected to the fleet;"), status.getMessage());
        assertEquals("agent_status", status.getOutputOrThrow("intent"));
        assertEquals("local", status.getOutputOrThrow("decision"));
        assertEquals("done", status.getOutputOrThrow("outcome"));
        assertEquals("nano", status.getOutputOrThrow("source"));

        CommandResult weather = ask(Map.of("text", "what's the weather like tomorrow"));
        assertEquals(CommandResult.Status.REJECTED, weather.getStatus());
        assertEquals("this device hands this question to the fleet", weather.getMessage());
        assertEquals("offload", weather.getOutputOrThrow("decision"));
        assertEquals("offloaded", weather.getOutputOrThrow("outcome"));
        assertTrue(link.sent.isEmpty(), "not sent back to the fleet as a query");

        CommandResult confirm = ask(Map.of("text", "restart the agent"));
        assertEquals(CommandResult.Status.REJECTED, confirm.getStatus());
        assertEquals("confirm", confirm.getOutputOrThrow("outcome"));
        assertFalse(confirm.getOutputMap().containsKey("restart"));
        CommandResult restart = ask(Map.of("text", "confirm " + confirm.getOutputOrThrow("confirm")));
        assertEquals(CommandResult.Status.OK, restart.getStatus(), restart.toString());
        assertEquals("true", restart.getOutputOrThrow("restart"), "the inbox restarts once this result is queued");
        assertEquals("true", ask(Map.of("text", "restart the agent", "yes", "true")).getOutputOrThrow("restart"));
        assertEquals(0, target.restarts, "the fleet's restart is the inbox's to run, after the result is out");

        CommandResult none = ask(Map.of());
        assertEquals(CommandResult.Status.REJECTED, none.getStatus());
        assertEquals("ask needs the argument text, e.g. text=turn off the kitchen lights", none.getMessage());
    }
}
