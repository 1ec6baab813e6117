package io.nanofleet.agent.command;

import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Routes commands to handlers. Commands are idempotent by id: a redelivered command (QoS 1 may
 * deliver twice) gets a DUPLICATE result instead of running again. Expired commands are refused.
 */
public final class CommandDispatcher {
    /** How many recent command ids are remembered for de-duplication. */
    static final int REMEMBERED_IDS = 1024;

    private final Map<String, CommandHandler> handlers = new HashMap<>();
    private final LongSupplier clock;
    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };
    private final AtomicLong refused = new AtomicLong();

    public CommandDispatcher(LongSupplier clock) {
        this.clock = clock;
    }

    public CommandDispatcher register(String action, CommandHandler handler) {
        handlers.put(action, handler);
        return this;
    }

    /** Commands refused (expired, duplicate, unknown action). */
    public long refusedCount() {
        return refused.get();
    }

    public synchronized CommandResult dispatch(Command command) {
        CommandResult.Builder r = CommandResult.newBuilder().setCommandId(command.getCommandId());
        if (seen.containsKey(command.getCommandId())) {
            refused.incrementAndGet();
            return r.setStatus(CommandResult.Status.DUPLICATE).setMessage("command already handled").build();
        }
        seen.put(command.getCommandId(), Boolean.TRUE);
        long now = clock.getAsLong();
        if (command.getExpiresAtMs() > 0 && now > command.getExpiresAtMs()) {
            refused.incrementAndGet();
            return r.setStatus(CommandResult.Status.EXPIRED)
                    .setMessage("expired " + (now - command.getExpiresAtMs()) + " ms ago").build();
        }
        CommandHandler handler = handlers.get(command.getAction());
        if (handler == null) {
            refused.incrementAndGet();
            return r.setStatus(CommandResult.Status.REJECTED)
                    .setMessage("unknown action '" + command.getAction() + "'; this agent supports " + handlers.keySet()).build();
        }
        try {
            return handler.handle(command);
        } catch (RuntimeException e) {
            return r.setStatus(CommandResult.Status.FAILED).setMessage(String.valueOf(e.getMessage())).build();
        }
    }
}
