package io.nanofleet.agent.command;

import io.nanofleet.protocols.CommandSignatures;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import java.io.IOException;
import java.security.PublicKey;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Checks a decoded command before anything runs, in an order that keeps an attacker from burning ids: the
 * device id, then the server's Ed25519 signature, then expiry, then the persisted id log (replays). Every
 * refusal is counted by reason and answered with a result, except commands for another device, which are
 * not ours to answer.
 */
public final class CommandGuard {
    /** Why a command was refused. */
    public enum Refusal { MALFORMED, OTHER_DEVICE, UNSIGNED, BAD_SIGNATURE, EXPIRED, DUPLICATE }

    private final String deviceId;
    private final PublicKey commandKey;
    private final boolean requireSignature;
    private final CommandLog log;
    private final LongSupplier clock;
    private final Map<Refusal, AtomicLong> refusals = new EnumMap<>(Refusal.class);

    /**
     * @param commandKey       the server's command key from enrollment; null only for unenrolled (simulated) agents
     * @param requireSignature refuse unsigned commands (always true for an enrolled agent)
     */
    public CommandGuard(String deviceId, PublicKey commandKey, boolean requireSignature, CommandLog log, LongSupplier clock) {
        if (requireSignature && commandKey == null) {
            throw new IllegalArgumentException("signed commands are required but no command key is known; enroll first");
        }
        this.deviceId = deviceId;
        this.commandKey = commandKey;
        this.requireSignature = requireSignature;
        this.log = log;
        this.clock = clock;
        for (Refusal r : Refusal.values()) {
            refusals.put(r, new AtomicLong());
        }
    }

    /** Counts a payload that did not even decode. */
    public void malformed() {
        refusals.get(Refusal.MALFORMED).incrementAndGet();
    }

    /**
     * Null when the command may run (its id is then recorded durably), otherwise the result to send back;
     * {@link #NOT_OURS} when nothing should be sent.
     */
    public CommandResult check(Command c) {
        CommandResult.Builder r = CommandResult.newBuilder().setCommandId(c.getCommandId());
        if (!deviceId.equals(c.getDeviceId())) {
            refusals.get(Refusal.OTHER_DEVICE).incrementAndGet();
            return NOT_OURS;
        }
        if (c.getSignature().isEmpty()) {
            if (requireSignature) {
                return refuse(Refusal.UNSIGNED, r.setStatus(CommandResult.Status.REJECTED)
                        .setMessage("unsigned command refused: commands must be signed by the fleet's command key"));
            }
        } else if (commandKey == null || !CommandSignatures.verify(c, commandKey)) {
            return refuse(Refusal.BAD_SIGNATURE, r.setStatus(CommandResult.Status.REJECTED)
                    .setMessage("signature does not verify with the enrolled command key"));
        }
        long now = clock.getAsLong();
        if (c.getExpiresAtMs() > 0 && now > c.getExpiresAtMs()) {
            return refuse(Refusal.EXPIRED, r.setStatus(CommandResult.Status.EXPIRED)
                    .setMessage("expired " + (now - c.getExpiresAtMs()) + " ms ago"));
        }
        try {
            if (!log.add(c.getCommandId())) {
                return refuse(Refusal.DUPLICATE, r.setStatus(CommandResult.Status.DUPLICATE).setMessage("command already handled"));
            }
        } catch (IOException e) {
            return r.setStatus(CommandResult.Status.FAILED)
                    .setMessage("cannot record the command id durably, not running it: " + e.getMessage()).build();
        }
        return null;
    }

    private CommandResult refuse(Refusal why, CommandResult.Builder r) {
        refusals.get(why).incrementAndGet();
        return r.build();
    }

    /** Marker result: refused, but answer nothing. */
    public static final CommandResult NOT_OURS = CommandResult.newBuilder().setCommandId("").build();

    public long refused(Refusal why) {
        return refusals.get(why).get();
    }

    public long refusedTotal() {
        long n = 0;
        for (AtomicLong a : refusals.values()) {
            n += a.get();
        }
        return n;
    }

    public Map<Refusal, Long> refusalCounts() {
        Map<Refusal, Long> m = new EnumMap<>(Refusal.class);
        refusals.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }
}
