package io.nanofleet.agent.ask;

import io.nanofleet.agent.command.CommandTarget;
import io.nanofleet.agent.sensor.ModbusWriter;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.CommandPredictor;
import io.nanofleet.intents.model.Decision;
import io.nanofleet.intents.model.Prediction;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Questions to the device, from its operator (the {@link OperatorSocket}) or from the fleet (the {@code ask}
 * command): the nano command model reads the text; a confident, in-scope intent runs its {@link Binding} here
 * (destructive ones only once confirmed) and is recorded as an event; anything else is handed to the fleet as a
 * {@link Query} on {@code nf/v1/d/{id}/ask} with the response topic {@code nf/v1/d/{id}/answers} and the query id
 * as correlation data, kept in {@link PendingQueries} until its {@link Answer} arrives or it expires. While the
 * fleet is unreachable questions wait on disk and go out at the next connection.
 *
 * <p>An answer is delivered only to the question its correlation data names, and only when its query id and device
 * id agree with it; anything else is ignored and counted ({@link #counters()}).
 */
public final class AskService {
    private static final Logger LOG = LoggerFactory.getLogger(AskService.class);
    /** Longest question taken (the Query limit is far above; nobody types more at a gateway). */
    public static final int MAX_TEXT = 1000;
    /** Finished questions remembered for {@code ask --id}. */
    static final int REMEMBERED = 64;
    /** Confirmations waiting at once. */
    static final int MAX_CONFIRMATIONS = 32;
    private static final Pattern CONFIRM = Pattern.compile("(?i)confirm\\s+([0-9a-f]{8})");

    /** The uplink as the service sees it. */
    public interface Link {
        boolean isConnected();

        /** Whether this transport has response topics (MQTT 5). */
        boolean carriesRequests();

        CompletableFuture<Void> request(String topic, byte[] payload, String responseTopic, byte[] correlationData);
    }

    /** What a fleet command gets back: the result and whether the agent must restart once it is reported. */
    public record FleetAnswer(AskResult result, boolean restart) {}

    private record Plan(String description, boolean restart, Step step) {}

    @FunctionalInterface
    private interface Step {
        String run() throws Exception;
    }

    private record Confirmation(AskResult base, Plan plan, AskRequest.Origin origin, long expiresAtMs, String askedBy) {}

    private final class Pending {
        final String id;
        final Query query;
        final AskResult base;
        final long expiresAtMs;
        final CompletableFuture<AskResult> done = new CompletableFuture<>();
        volatile boolean sent;
        volatile boolean sending;
        volatile ScheduledFuture<?> expiry;
        final String askedBy;

        Pending(String id, Query query, AskResult base, long expiresAtMs, boolean sent, String askedBy) {
            this.id = id;
            this.query = query;
            this.base = base;
            this.expiresAtMs = expiresAtMs;
            this.sent = sent;
            this.askedBy = askedBy;
        }
    }

    private final String deviceId;
    private final CommandTarget agent;
    private final ModbusWriter modbus;
    private final Link link;
    private final PendingQueries store;
    private final Consumer<Event.Builder> events;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final AskOptions options;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Confirmation> confirmations = new ConcurrentHashMap<>();
    private final Map<String, AskResult> finished = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AskResult> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Object predictorLock = new Object();
    private volatile Bindings bindings;
    private CommandPredictor predictor;

    private final AtomicLong local = new AtomicLong();
    private final AtomicLong offloaded = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong confirmationsAsked = new AtomicLong();
    private final AtomicLong unknownCorrelation = new AtomicLong();
    private final AtomicLong mismatched = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong restored = new AtomicLong();
    private volatile String lastRefusal = "";

    /**
     * @param modbus the Modbus connection bound writes go to, or null without one
     * @param events where recorded answers go (the agent's outbox)
     */
    public AskService(String deviceId, AskOptions options, CommandTarget agent, ModbusWriter modbus, Link link,
                      PendingQueries store, Consumer<Event.Builder> events, LongSupplier clock,
                      ScheduledExecutorService scheduler) {
        this.deviceId = deviceId;
        this.options = options;
        this.bindings = options.bindings();
        this.predictor = options.model().predictor();
        this.agent = agent;
        this.modbus = modbus;
        this.link = link;
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Takes back the questions left on disk by the last run: expired ones end now, the others wait again. */
    public void start() throws IOException {
        long now = clock.getAsLong();
        for (PendingQueries.Stored s : store.load()) {
            Query q = s.query();
            AskResult base = new AskResult(s.id(), q.getText(), Decision.OFFLOAD.wire(), q.getLocalIntent(),
                    q.getLocalConfidence(), Map.of(), "", "", "", "", AskResult.Outcome.PENDING);
            Pending p = new Pending(s.id(), q, base, s.expiresAtMs(), s.sent(), q.getContextOrDefault("asked_by", ""));
            pending.put(p.id, p);
            restored.incrementAndGet();
            scheduleExpiry(p, s.expiresAtMs() - now);
        }
        if (link.isConnected()) {
            connected();
        }
    }

    /**
     * A new command model (from the update channel): questions from now on are read with it. Bindings stay; one
     * for an intent the new model does not have is simply never reached.
     */
    public void commandModel(CommandModel model) {
        synchronized (predictorLock) {
            predictor = model.predictor();
        }
    }

    /** Replaces the bindings (checked against the running model by {@link Bindings#of}). */
    public void bindings(Bindings b) {
        this.bindings = b;
    }

    // ---- asking ----

    /**
     * Answers a question. The future completes with the local answer at once, with the fleet's answer when it
     * comes, or after {@code request.waitMs()} with a {@link AskResult.Outcome#PENDING} result saying the question
     * waits on (it then stays pending until answered or expired).
     */
    public CompletableFuture<AskResult> ask(AskRequest request) {
        AskResult refusal = refusal(request);
        if (refusal != null) {
            return CompletableFuture.completedFuture(refusal);
        }
        Matcher m = CONFIRM.matcher(request.text());
        if (m.matches()) {
            return CompletableFuture.completedFuture(confirm(m.group(1).toLowerCase(Locale.ROOT), request).result());
        }
        Prediction p = predict(request.text());
        if (p.local()) {
            return CompletableFuture.completedFuture(local(request.text(), p, request).result());
        }
        if (request.origin() == AskRequest.Origin.FLEET) {
            return CompletableFuture.completedFuture(handedBack(request.text(), p));
        }
        return offload(request.text(), p, request);
    }

    /**
     * A fleet command's question: answered locally or handed back at once (the fleet already has the text, so it
     * is not sent back to it as a query); the command's result event records it.
     */
    public FleetAnswer askFromFleet(String text, boolean yes) {
        AskRequest r = new AskRequest(text, yes, 0, AskRequest.Origin.FLEET, "fleet");
        AskResult refusal = refusal(r);
        if (refusal != null) {
            return new FleetAnswer(refusal, false);
        }
        Matcher m = CONFIRM.matcher(r.text());
        if (m.matches()) {
            return confirm(m.group(1).toLowerCase(Locale.ROOT), r);
        }
        Prediction p = predict(r.text());
        return p.local() ? local(r.text(), p, r) : new FleetAnswer(handedBack(r.text(), p), false);
    }

    private static AskResult refusal(AskRequest request) {
        String text = request.text();
        if (text.isEmpty()) {
            return AskResult.refused(text, "nothing to ask: give the question, e.g. nanofleet-agent ask \"turn off the kitchen lights\"");
        }
        if (text.length() > MAX_TEXT) {
            return AskResult.refused(text.substring(0, 80) + "...", "the question is " + text.length()
                    + " characters; at most " + MAX_TEXT);
        }
        return null;
    }

    private Prediction predict(String text) {
        synchronized (predictorLock) {
            return predictor.predict(text);
        }
    }

    private AskResult handedBack(String text, Prediction p) {
        offloaded.incrementAndGet();
        return base("f-" + UUID.randomUUID(), text, p).with(AskResult.Outcome.OFFLOADED,
                "this device hands this question to the fleet", "", "", "");
    }

    /** The result of an earlier question: waits up to {@code waitMs} while it is still pending. */
    public CompletableFuture<AskResult> result(String id, long waitMs) {
        Pending p = pending.get(id);
        if (p != null) {
            return waitFor(p, waitMs);
        }
        AskResult r;
        synchronized (finished) {
            r = finished.get(id);
        }
        return CompletableFuture.completedFuture(r != null ? r : AskResult.refused("",
                "no question '" + id + "' on this agent (it keeps the last " + REMEMBERED + " answers until it restarts)"));
    }

    private static AskResult base(String id, String text, Prediction p) {
        return new AskResult(id, text, p.decision().wire(), p.intent(), p.confidence(), p.slots(), "", "", "", "",
                AskResult.Outcome.PENDING);
    }

    private FleetAnswer local(String text, Prediction p, AskRequest request) {
        local.incrementAndGet();
        AskResult base = base("l-" + UUID.randomUUID(), text, p);
        Binding b = bindings.get(p.intent());
        if (b == null) {
            return new FleetAnswer(recorded(base.with(AskResult.Outcome.UNBOUND, "", "nano", "understood " + p.intent()
                    + slotsText(p.slots()) + ", but nothing is bound to it on this device: add a binding to the agent's "
                    + "configuration, e.g. '" + Bindings.PREFIX + p.intent() + " = reply:...' or '" + Bindings.PREFIX
                    + p.intent() + " = modbus-coil:ADDRESS:on', and restart it", ""), request), false);
        }
        Plan plan;
        try {
            plan = plan(b, p.slots());
        } catch (IllegalArgumentException e) {
            return new FleetAnswer(recorded(base.with(AskResult.Outcome.FAILED, "", "nano", e.getMessage(), ""), request), false);
        }
        if (b.destructive() && !request.yes()) {
            String token = token();
            long now = clock.getAsLong();
            confirmations.values().removeIf(c -> c.expiresAtMs() < now);
            if (confirmations.size() >= MAX_CONFIRMATIONS) {
                return new FleetAnswer(base.with(AskResult.Outcome.REFUSED, "", "nano",
                        MAX_CONFIRMATIONS + " actions already wait for confirmation; confirm or let them expire first", ""), false);
            }
            confirmations.put(token, new Confirmation(base, plan, request.origin(), now + options.confirmWindowMs(),
                    request.askedBy()));
            confirmationsAsked.incrementAndGet();
            String how = request.origin() == AskRequest.Origin.LOCAL
                    ? "run nanofleet-agent ask \"confirm " + token + "\" within " + Words.duration(options.confirmWindowMs())
                    + " (or ask again with --yes)"
                    : "send ask with text 'confirm " + token + "' within " + Words.duration(options.confirmWindowMs())
                    + " (or with argument yes=true)";
            return new FleetAnswer(base.with(AskResult.Outcome.CONFIRM, "confirm: " + plan.description() + "? " + how,
                    "nano", "", token), false);
        }
        return execute(base, plan, request.origin(), request.askedBy());
    }

    private FleetAnswer confirm(String token, AskRequest request) {
        Confirmation c = confirmations.remove(token);
        AskResult none = AskResult.refused(request.text(), "nothing waits for confirmation '" + token
                + "' (a confirmation is good once, for " + Words.duration(options.confirmWindowMs()) + "); ask again");
        if (c == null) {
            return new FleetAnswer(none, false);
        }
        if (c.origin() != request.origin()) {
            confirmations.put(token, c);
            return new FleetAnswer(none, false);
        }
        if (clock.getAsLong() > c.expiresAtMs()) {
            return new FleetAnswer(AskResult.refused(c.base().text(), "confirmation '" + token + "' expired after "
                    + Words.duration(options.confirmWindowMs()) + "; ask again"), false);
        }
        return execute(c.base(), c.plan(), c.origin(), request.askedBy().isEmpty() ? c.askedBy() : request.askedBy());
    }

    private FleetAnswer execute(AskResult base, Plan plan, AskRequest.Origin origin, String askedBy) {
        AskResult r;
        try {
            r = base.with(AskResult.Outcome.DONE, plan.step().run(), "nano", "", "");
        } catch (Exception e) {
            r = base.with(AskResult.Outcome.FAILED, "", "nano", plan.description() + " failed: " + e.getMessage(), "");
        }
        AskRequest who = new AskRequest(base.text(), true, 0, origin, askedBy);
        recorded(r, who);
        boolean restart = plan.restart() && r.outcome() == AskResult.Outcome.DONE;
        if (restart && origin == AskRequest.Origin.LOCAL) {
            agent.restartSoon();
        }
        return new FleetAnswer(r, restart);
    }

    private String token() {
        byte[] b = new byte[4];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ---- what a binding does ----

    private Plan plan(Binding b, Map<String, String> slots) {
        if (b instanceof Binding.Reply r) {
            String text = fill(r.template(), slots);
            return new Plan("reply", false, () -> text);
        }
        if (b instanceof Binding.CoilWrite w) {
            String v = resolve(w.value(), slots, "modbus-coil");
            Boolean on = Binding.coil(v);
            if (on == null) {
                throw new IllegalArgumentException("the value '" + v + "' for " + w.spec() + " is not on or off");
            }
            requireModbus(b);
            String what = "write coil " + w.address() + " = " + (on ? "on" : "off") + " on " + modbus.describe();
            return new Plan(what, false, () -> {
                modbus.writeCoil(w.address(), on);
                return "coil " + w.address() + " set " + (on ? "on" : "off") + " (" + modbus.describe() + ")";
            });
        }
        if (b instanceof Binding.RegisterWrite w) {
            String v = resolve(w.value(), slots, "modbus-register");
            int value = registerValue(v);
            if (value < 0) {
                throw new IllegalArgumentException("the value '" + v + "' for " + w.spec() + " is not a register value 0..65535");
            }
            requireModbus(b);
            String what = "write register " + w.address() + " = " + value + " on " + modbus.describe();
            return new Plan(what, false, () -> {
                modbus.writeRegister(w.address(), value);
                return "register " + w.address() + " set to " + value + " (" + modbus.describe() + ")";
            });
        }
        Binding.AgentAction a = (Binding.AgentAction) b;
        switch (a.action()) {
            case STATUS:
                return new Plan("status", false, this::status);
            case RECALIBRATE:
                return new Plan("recalibrate the detector", false, () -> {
                    if (!agent.recalibrate()) {
                        throw new IllegalStateException("the detector is not running on this agent");
                    }
                    return "recalibrating the detector on the next samples";
                });
            case MUTE_ALARMS: {
                String d = slots.get("duration");
                long seconds = d == null ? options.defaultMuteSeconds() : io.nanofleet.intents.slots.Durations.seconds(d);
                if (seconds <= 0) {
                    throw new IllegalArgumentException("'" + d + "' is not a duration; say e.g. 'mute alarms for ten minutes'");
                }
                if (seconds > AskOptions.MAX_MUTE_SECONDS) {
                    throw new IllegalArgumentException("alarms can be muted for at most " + Words.duration(AskOptions.MAX_MUTE_SECONDS * 1000));
                }
                String given = d == null ? " (no duration given)" : "";
                return new Plan("mute alarms for " + Words.duration(seconds * 1000), false, () -> {
                    long until = agent.now() + seconds * 1000;
                    agent.muteAlarmsUntil(until);
                    return "alarms muted for " + Words.duration(seconds * 1000) + given + ", until " + Words.clock(until)
                            + "; anomalies are still noted ('show the last anomalies')";
                });
            }
            case SET_INTERVAL: {
                String d = slots.get("duration");
                if (d == null) {
                    throw new IllegalArgumentException("say how often, e.g. 'send a summary every five minutes'");
                }
                long seconds = io.nanofleet.intents.slots.Durations.seconds(d);
                if (seconds <= 0) {
                    throw new IllegalArgumentException("'" + d + "' is not a duration; say e.g. 'send a summary every five minutes'");
                }
                long ms = seconds * 1000;
                if (ms < AskOptions.MIN_INTERVAL_MS || ms > AskOptions.MAX_INTERVAL_MS) {
                    throw new IllegalArgumentException("the summary interval must be " + Words.duration(AskOptions.MIN_INTERVAL_MS)
                            + " to " + Words.duration(AskOptions.MAX_INTERVAL_MS) + ", not " + Words.duration(ms));
                }
                return new Plan("send a summary every " + Words.duration(ms), false, () -> {
                    agent.telemetryIntervalMs(ms);
                    return "a summary every " + Words.duration(ms) + " from now on (until the agent restarts; "
                            + "telemetry.interval-ms in its configuration keeps it)";
                });
            }
            case LAST_ANOMALIES: {
                String n = slots.get("number");
                double parsed = n == null ? 5 : io.nanofleet.intents.slots.NumberWords.parse(n);
                if (!(parsed >= 1) || parsed != Math.rint(parsed)) {
                    throw new IllegalArgumentException("'" + n + "' is not a number of anomalies");
                }
                int count = (int) Math.min(parsed, io.nanofleet.agent.telemetry.AnomalyLog.CAPACITY);
                return new Plan("show the last anomalies", false, () -> anomalies(count));
            }
            case RESTART:
                if (!agent.canRestart()) {
                    throw new IllegalArgumentException("this agent runs embedded and cannot restart itself");
                }
                return new Plan("restart the agent", true, () -> "restarting the agent");
            default:
                throw new IllegalStateException(a.action().toString());
        }
    }

    private void requireModbus(Binding b) {
        if (modbus == null) {
            throw new IllegalArgumentException(b.spec() + " needs a Modbus server: set sensor.modbus.host");
        }
    }

    private static String resolve(String value, Map<String, String> slots, String what) {
        Matcher m = Binding.SLOT_ONLY.matcher(value);
        if (!m.matches()) {
            return value;
        }
        String v = slots.get(m.group(1));
        if (v == null) {
            throw new IllegalArgumentException("the " + what + " binding takes its value from {" + m.group(1)
                    + "}, and the question named no " + m.group(1));
        }
        return v;
    }

    /** "50", "fifty", "50 percent" -> 50; -1 when not 0..65535. */
    static int registerValue(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT).replace("%", " ").replaceAll("\\b(per ?cent|percentage)\\b", " ").strip();
        double d = io.nanofleet.intents.slots.NumberWords.parse(s);
        if (Double.isNaN(d) || d != Math.rint(d) || d < 0 || d > 65_535) {
            return -1;
        }
        return (int) d;
    }

    static String fill(String template, Map<String, String> slots) {
        Matcher m = Binding.PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(slots.getOrDefault(m.group(1), "")));
        }
        m.appendTail(sb);
        return sb.toString().replaceAll("\\s{2,}", " ").replaceAll("\\s+([.,;:!?])", "$1").strip();
    }

    private static String slotsText(Map<String, String> slots) {
        if (slots.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        new TreeMap<>(slots).forEach((k, v) -> sb.append(sb.length() > 2 ? ", " : "").append(k).append('=').append(v));
        return sb.append(')').toString();
    }

    private String status() {
        long pendingMessages = agent.pendingMessages();
        StringBuilder sb = new StringBuilder();
        sb.append(agent.connected() ? "connected to the fleet" : "not connected to the fleet");
        sb.append("; ").append(pendingMessages < 0 ? "queue unreadable" : pendingMessages + " message(s) queued");
        sb.append("; detector ").append(agent.detectorPhase());
        sb.append("; up ").append(Words.duration(Math.max(0, agent.now() - agent.bootTimeMs())));
        long muted = agent.alarmsMutedUntilMs();
        sb.append(muted > agent.now() ? "; alarms muted until " + Words.clock(muted) : "; alarms on");
        int waiting = pending.size();
        if (waiting > 0) {
            sb.append("; ").append(waiting).append(" question(s) waiting for the fleet");
        }
        return sb.toString();
    }

    private String anomalies(int count) {
        var list = agent.lastAnomalies(count);
        if (list.isEmpty()) {
            return "no anomalies since the agent started (detector " + agent.detectorPhase() + ")";
        }
        StringBuilder sb = new StringBuilder(list.size() + " anomal" + (list.size() == 1 ? "y" : "ies") + ", newest first: ");
        for (int i = 0; i < list.size(); i++) {
            var e = list.get(i);
            sb.append(i == 0 ? "" : "; ").append(Words.clock(e.timestampMs()))
                    .append(String.format(Locale.ROOT, " score %.2f (threshold %.2f", e.score(), e.threshold()))
                    .append(e.topChannel().isEmpty() ? "" : ", mostly " + e.topChannel()).append(e.muted() ? ", muted" : "")
                    .append(')');
        }
        return sb.toString();
    }

    // ---- handing questions to the fleet ----

    private CompletableFuture<AskResult> offload(String text, Prediction p, AskRequest request) {
        offloaded.incrementAndGet();
        String id = "q-" + UUID.randomUUID();
        AskResult base = base(id, text, p);
        if (!link.carriesRequests()) {
            return CompletableFuture.completedFuture(base.with(AskResult.Outcome.FAILED, "", "",
                    "this device cannot hand questions to the fleet over its transport (CoAP has no response topics; "
                            + "transport = mqtt does)", ""));
        }
        if (pending.size() >= options.maxPending()) {
            return CompletableFuture.completedFuture(base.with(AskResult.Outcome.REFUSED, "", "",
                    pending.size() + " questions already wait for the fleet (ask.max-pending); ask again later", ""));
        }
        long now = clock.getAsLong();
        Query.Builder q = Query.newBuilder().setDeviceId(deviceId).setQueryId(id).setTimestampMs(now).setText(text)
                .setLocalIntent(p.intent()).setLocalConfidence(p.confidence());
        if (!request.askedBy().isEmpty()) {
            q.putContext("asked_by", request.askedBy());
        }
        Query query = q.build();
        long expires = now + options.offloadExpiryMs();
        try {
            store.put(id, expires, query);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(base.with(AskResult.Outcome.FAILED, "", "",
                    "cannot keep the question for the fleet on disk: " + e.getMessage(), ""));
        }
        Pending pend = new Pending(id, query, base, expires, false, request.askedBy());
        pending.put(id, pend);
        scheduleExpiry(pend, options.offloadExpiryMs());
        if (link.isConnected()) {
            send(pend);
        }
        return waitFor(pend, request.waitMs());
    }

    private CompletableFuture<AskResult> waitFor(Pending p, long waitMs) {
        CompletableFuture<AskResult> w = new CompletableFuture<>();
        p.done.thenAccept(w::complete);
        if (!w.isDone()) {
            ScheduledFuture<?> t = scheduler.schedule(() -> {
                if (w.complete(stillPending(p, waitMs))) {
                    timeouts.incrementAndGet();
                }
            }, Math.max(0, waitMs), TimeUnit.MILLISECONDS);
            w.whenComplete((r, e) -> t.cancel(false));
        }
        return w;
    }

    private AskResult stillPending(Pending p, long waitedMs) {
        String show = "'nanofleet-agent ask --id " + p.id + "' shows the answer";
        String why = p.sent
                ? "the fleet did not answer within " + Words.duration(waitedMs) + "; the question stays pending until "
                        + Words.clock(p.expiresAtMs) + " and a later answer is recorded (" + show + ")"
                : (link.isConnected() ? "the question is not delivered to the fleet yet" : "the fleet is not reachable now")
                        + "; the question is kept on the device and goes out when the connection is back; it expires at "
                        + Words.clock(p.expiresAtMs) + " (" + show + ")";
        return p.base.with(AskResult.Outcome.PENDING, "", "", why, "");
    }

    private void send(Pending p) {
        if (p.sent || p.sending || !pending.containsKey(p.id)) {
            return;
        }
        p.sending = true;
        byte[] payload = Codecs.QUERY.encode(p.query);
        link.request(Topics.ask(deviceId), payload, Topics.answers(deviceId), p.id.getBytes(StandardCharsets.UTF_8))
                .whenComplete((v, e) -> {
                    p.sending = false;
                    if (e == null) {
                        p.sent = true;
                        store.markSent(p.id);
                    }
                });
    }

    /** The link (re)connected: questions the broker has not acknowledged go out now. */
    public void connected() {
        scheduler.execute(() -> pending.values().forEach(this::send));
    }

    private void scheduleExpiry(Pending p, long delayMs) {
        p.expiry = scheduler.schedule(() -> expire(p), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    private void expire(Pending p) {
        if (!pending.remove(p.id, p)) {
            return;
        }
        store.remove(p.id);
        expired.incrementAndGet();
        AskResult r = p.base.with(AskResult.Outcome.EXPIRED, "", "", "the fleet did not answer within "
                + Words.duration(Math.max(0, p.expiresAtMs - p.query.getTimestampMs())) + "; ask again", "");
        finish(p, r);
    }

    private void finish(Pending p, AskResult r) {
        synchronized (finished) {
            finished.put(p.id, r);
        }
        recorded(r, new AskRequest(r.text(), false, 0, AskRequest.Origin.LOCAL, p.askedBy));
        p.done.complete(r);
    }

    /**
     * A message on the answers topic, with the correlation data it carried. Called on the transport's thread;
     * the work happens on the agent's scheduler.
     */
    public void answerArrived(byte[] payload, byte[] correlationData) {
        scheduler.execute(() -> handleAnswer(payload, correlationData));
    }

    void handleAnswer(byte[] payload, byte[] correlationData) {
        Answer a;
        try {
            a = Codecs.ANSWER.decode(payload);
        } catch (PayloadException e) {
            malformed.incrementAndGet();
            refused("malformed answer ignored: " + e.getMessage());
            return;
        }
        if (correlationData == null || correlationData.length == 0) {
            unknownCorrelation.incrementAndGet();
            refused("answer for query " + a.getQueryId() + " without correlation data ignored");
            return;
        }
        String corr = new String(correlationData, StandardCharsets.UTF_8);
        Pending p = pending.get(corr);
        if (p == null) {
            unknownCorrelation.incrementAndGet();
            refused("answer with unknown correlation data '" + printable(corr) + "' ignored (no question waits under it)");
            return;
        }
        if (!a.getQueryId().equals(corr) || !a.getDeviceId().equals(deviceId)) {
            mismatched.incrementAndGet();
            refused("answer ignored: correlation data names " + corr + " but the answer is for query '" + a.getQueryId()
                    + "' of device '" + a.getDeviceId() + "'");
            return;
        }
        if (!pending.remove(corr, p)) {
            return;
        }
        ScheduledFuture<?> e = p.expiry;
        if (e != null) {
            e.cancel(false);
        }
        store.remove(corr);
        answered.incrementAndGet();
        String source = a.getSource().isEmpty() ? "fleet" : a.getSource();
        AskResult r = a.getOk() ? p.base.with(AskResult.Outcome.DONE, a.getText(), source, "", "")
                : p.base.with(AskResult.Outcome.FAILED, a.getText(), source,
                        a.getError().isEmpty() ? "the fleet could not answer" : a.getError(), "");
        finish(p, r);
    }

    private void refused(String why) {
        lastRefusal = why;
        LOG.warn(why);
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    // ---- recording ----

    private AskResult recorded(AskResult r, AskRequest request) {
        if (request.origin() == AskRequest.Origin.LOCAL) {
            CommandResult.Status status;
            switch (r.outcome()) {
                case DONE:
                    status = CommandResult.Status.OK;
                    break;
                case EXPIRED:
                    status = CommandResult.Status.EXPIRED;
                    break;
                case UNBOUND:
                case REFUSED:
                    status = CommandResult.Status.REJECTED;
                    break;
                default:
                    status = CommandResult.Status.FAILED;
                    break;
            }
            CommandResult.Builder c = CommandResult.newBuilder().setCommandId("ask-" + r.id()).setStatus(status)
                    .setMessage(r.answer().isEmpty() ? r.error() : r.answer()).putAllOutput(output(r))
                    .putOutput("origin", "local");
            if (!request.askedBy().isEmpty()) {
                c.putOutput("asked_by", request.askedBy());
            }
            events.accept(Event.newBuilder().setCommandResult(c));
        }
        return r;
    }

    /** The answer as a command result's output (also what the fleet's {@code ask} command returns). */
    public static Map<String, String> output(AskResult r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", "ask");
        m.put("id", r.id());
        m.put("text", r.text());
        m.put("decision", r.decision());
        m.put("intent", r.intent());
        m.put("confidence", String.format(Locale.ROOT, "%.3f", r.confidence()));
        m.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        if (!r.source().isEmpty()) {
            m.put("source", r.source());
        }
        if (!r.answer().isEmpty()) {
            m.put("answer", r.answer());
        }
        if (!r.error().isEmpty()) {
            m.put("error", r.error());
        }
        if (!r.confirm().isEmpty()) {
            m.put("confirm", r.confirm());
        }
        r.slots().forEach((k, v) -> m.put("slot." + k, v));
        return m;
    }

    // ---- figures ----

    /** Questions waiting for the fleet now. */
    public int pendingCount() {
        return pending.size();
    }

    /** What went wrong with the last ignored answer (empty before any). */
    public String lastRefusal() {
        return lastRefusal;
    }

    /** Published in the state and printed by {@code status}. */
    public Map<String, String> counters() {
        Map<String, String> m = new TreeMap<>();
        m.put("ask.local", Long.toString(local.get()));
        m.put("ask.offloaded", Long.toString(offloaded.get()));
        m.put("ask.answered", Long.toString(answered.get()));
        m.put("ask.pending", Integer.toString(pending.size()));
        m.put("ask.expired", Long.toString(expired.get()));
        m.put("ask.timeouts", Long.toString(timeouts.get()));
        m.put("ask.confirmations", Long.toString(confirmationsAsked.get()));
        m.put("ask.answers.unknown_correlation", Long.toString(unknownCorrelation.get()));
        m.put("ask.answers.mismatched", Long.toString(mismatched.get()));
        m.put("ask.answers.malformed", Long.toString(malformed.get()));
        if (restored.get() > 0) {
            m.put("ask.restored", Long.toString(restored.get()));
        }
        if (store.corrupt() > 0) {
            m.put("ask.store.corrupt", Long.toString(store.corrupt()));
        }
        return m;
    }

    /** Stops waiting: pending questions stay on disk for the next start. */
    public void close() {
        pending.values().forEach(p -> {
            ScheduledFuture<?> e = p.expiry;
            if (e != null) {
                e.cancel(false);
            }
        });
    }
}
