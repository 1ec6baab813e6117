package io.nanofleet.agent.ask;

import io.nanofleet.agent.command.CommandTarget;
import io.nanofleet.agent.sensor.ModbusWriter;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.CommandPredictor;
import io.nanofleet.intents.model.Prediction;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Questions to the device, from its operator (the {@link OperatorSocket}) or from the fleet (the {@code ask}
 * command): the nano command model reads the text; a confident, in-scope intent runs its {@link Binding} here
 * ({@link Actions}; destructive ones only once confirmed) and is recorded as an event; anything else is handed to the
 * fleet ({@link FleetQueries}: a {@link Query} on {@code nf/v1/d/{id}/ask} with the response topic
 * {@code nf/v1/d/{id}/answers} and the query id as correlation data, kept on disk until its answer arrives or it
 * expires). The fleet's own questions (the {@code ask} command) are answered here or handed back, never sent back.
 */
public final class AskService {
    /** Longest question taken (the Query limit is far above; nobody types more at a gateway). */
    public static final int MAX_TEXT = 1000;
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

    private record Confirmation(AskResult base, Actions.Plan plan, AskRequest.Origin origin, long expiresAtMs, String askedBy) {}

    private final String deviceId;
    private final Link link;
    private final Consumer<Event.Builder> events;
    private final LongSupplier clock;
    private final AskOptions options;
    private final CommandTarget agent;
    private final Actions actions;
    private final FleetQueries fleet;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Confirmation> confirmations = new ConcurrentHashMap<>();
    private final Object predictorLock = new Object();
    private volatile Bindings bindings;
    private CommandPredictor predictor;
    private final AtomicLong local = new AtomicLong();
    private final AtomicLong offloaded = new AtomicLong();
    private final AtomicLong confirmationsAsked = new AtomicLong();

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
        this.link = link;
        this.events = events;
        this.clock = clock;
        this.fleet = new FleetQueries(deviceId, link, store, scheduler, clock,
                (r, askedBy) -> recorded(r, new AskRequest(r.text(), false, 0, AskRequest.Origin.LOCAL, askedBy)));
        this.actions = new Actions(agent, modbus, options, fleet::size);
    }

    /** Takes back the questions left on disk by the last run: expired ones end now, the others wait again. */
    public void start() throws IOException {
        fleet.start();
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
        CompletableFuture<AskResult> f = fleet.waitFor(id, waitMs);
        return f != null ? f : CompletableFuture.completedFuture(AskResult.refused("", "no question '" + id
                + "' on this agent (it keeps the last " + FleetQueries.REMEMBERED + " answers until it restarts)"));
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
                    + Actions.slotsText(p.slots()) + ", but nothing is bound to it on this device: add a binding to the agent's "
                    + "configuration, e.g. '" + Bindings.PREFIX + p.intent() + " = reply:...' or '" + Bindings.PREFIX
                    + p.intent() + " = modbus-coil:ADDRESS:on', and restart it", ""), request), false);
        }
        Actions.Plan plan;
        try {
            plan = actions.plan(b, p.slots());
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

    private FleetAnswer execute(AskResult base, Actions.Plan plan, AskRequest.Origin origin, String askedBy) {
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
        if (fleet.size() >= options.maxPending()) {
            return CompletableFuture.completedFuture(base.with(AskResult.Outcome.REFUSED, "", "",
                    fleet.size() + " questions already wait for the fleet (ask.max-pending); ask again later", ""));
        }
        long now = clock.getAsLong();
        Query.Builder q = Query.newBuilder().setDeviceId(deviceId).setQueryId(id).setTimestampMs(now).setText(text)
                .setLocalIntent(p.intent()).setLocalConfidence(p.confidence());
        if (!request.askedBy().isEmpty()) {
            q.putContext("asked_by", request.askedBy());
        }
        try {
            fleet.offload(base, q.build(), now + options.offloadExpiryMs(), request.askedBy());
        } catch (IOException e) {
            return CompletableFuture.completedFuture(base.with(AskResult.Outcome.FAILED, "", "",
                    "cannot keep the question for the fleet on disk: " + e.getMessage(), ""));
        }
        return fleet.waitFor(id, request.waitMs());
    }

    /** The link (re)connected: questions the broker has not acknowledged go out now. */
    public void connected() {
        fleet.connected();
    }

    /**
     * A message on the answers topic, with the correlation data it carried. Called on the transport's thread;
     * the work happens on the agent's scheduler.
     */
    public void answerArrived(byte[] payload, byte[] correlationData) {
        fleet.answerArrived(payload, correlationData);
    }

    void handleAnswer(byte[] payload, byte[] correlationData) {
        fleet.handleAnswer(payload, correlationData);
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
        return fleet.size();
    }

    /** What was wrong with the last ignored answer (empty before any). */
    public String lastRefusal() {
        return fleet.lastRefusal();
    }

    /** Published in the state and printed by {@code status}. */
    public Map<String, String> counters() {
        Map<String, String> m = new TreeMap<>();
        m.put("ask.local", Long.toString(local.get()));
        m.put("ask.offloaded", Long.toString(offloaded.get()));
        m.put("ask.confirmations", Long.toString(confirmationsAsked.get()));
        fleet.counters(m);
        return m;
    }

    /** Stops waiting: pending questions stay on disk for the next start. */
    public void close() {
        fleet.close();
    }
}
