package io.nanofleet.agent;

import io.nanofleet.agent.command.CommandDispatcher;
import io.nanofleet.agent.command.CommandGuard;
import io.nanofleet.agent.queue.OutboxWriter;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Messages from the fleet: update assignments go to the ota listener; commands pass the {@link CommandGuard},
 * run on the agent's scheduler and answer with a result event; a {@code restart} runs the hook once that
 * answer is queued.
 */
final class Inbox {
    private final String deviceId;
    private final CommandGuard guard;
    private final CommandDispatcher commands;
    private final OutboxWriter out;
    private final ScheduledExecutorService scheduler;
    private final Runnable restartHook;
    private volatile BiConsumer<String, byte[]> otaListener = (t, p) -> {};

    /** @param restartHook what {@code restart} does; null when the agent cannot restart itself */
    Inbox(String deviceId, CommandGuard guard, CommandDispatcher commands, OutboxWriter out,
          ScheduledExecutorService scheduler, Runnable restartHook) {
        this.deviceId = deviceId;
        this.guard = guard;
        this.commands = commands;
        this.out = out;
        this.scheduler = scheduler;
        this.restartHook = restartHook;
    }

    void message(String topic, byte[] payload) {
        if (topic.equals(Topics.ota(deviceId))) {
            otaListener.accept(topic, payload);
            return;
        }
        if (!topic.equals(Topics.cmd(deviceId))) {
            return;
        }
        Command command;
        try {
            command = Codecs.COMMAND.decode(payload);
        } catch (PayloadException e) {
            guard.malformed();
            return;
        }
        // Off the MQTT callback thread: a handler may take time, and Paho must keep reading.
        scheduler.execute(() -> {
            CommandResult refusal = guard.check(command);
            if (refusal == CommandGuard.NOT_OURS) {
                return;
            }
            CommandResult result = refusal != null ? refusal : commands.dispatch(command);
            out.event(Event.newBuilder().setCommandResult(result));
            if (result.getOutputMap().containsKey("restart")) {
                scheduler.schedule(this::restartNow, 500, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void restartNow() {
        if (restartHook != null) {
            restartHook.run();
        }
    }

    /** Listener for update assignments arriving on {@code nf/v1/d/{id}/ota}. */
    void onOta(BiConsumer<String, byte[]> listener) {
        this.otaListener = listener;
    }

    CommandGuard guard() {
        return guard;
    }

    /** Payloads refused before any check of their content: unreadable, or for another device. */
    long rejectedPayloads() {
        return guard.refused(CommandGuard.Refusal.MALFORMED) + guard.refused(CommandGuard.Refusal.OTHER_DEVICE);
    }

    /** Commands refused by the guard or the dispatcher. */
    long refusedCommands() {
        return guard.refusedTotal() + commands.refusedCount();
    }
}
