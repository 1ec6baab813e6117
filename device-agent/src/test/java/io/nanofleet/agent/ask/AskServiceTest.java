package io.nanofleet.agent.ask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.telemetry.AnomalyLog;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ask service with the shipped command model, a fake agent, a fake Modbus writer and a fake link (the IT uses
 * the real ones): local answers, bindings, confirmation, and the hand-over to the fleet with its timeouts, offline
 * queue, expiry and wrong answers.
 */
class AskServiceTest {
    static final CommandModel MODEL = CommandModel.bundled();
    static final String ID = "dev-1";
    static final String WEATHER = "what's the weather like tomorrow";

    @TempDir
    Path dir;

    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final AtomicLong now = new AtomicLong(System.currentTimeMillis());
    LongSupplier clock = System::currentTimeMillis;
    final Fakes.Target target = new Fakes.Target(() -> clock.getAsLong());
    final Fakes.Link link = new Fakes.Link();
    final Fakes.Modbus modbus = new Fakes.Modbus();
    final List<Event> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private AskService service(AskOptions options) throws Exception {
        AskService s = new AskService(ID, options, target, modbus, link, PendingQueries.at(dir.resolve("ask")),
                e -> events.add(e.setDeviceId(ID).setEventId("e" + events.size()).build()), () -> clock.getAsLong(), scheduler);
        s.start();
        return s;
    }

    private AskOptions options(String... bindings) throws Exception {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < bindings.length; i += 2) {
            m.put(bindings[i], bindings[i + 1]);
        }
        return AskOptions.of(MODEL).bindings(Bindings.of(m, MODEL.localIntents(), true)).modbus(modbus);
    }

    private static AskResult ask(AskService s, String text) throws Exception {
        return s.ask(AskRequest.local(text, false, 2000, "operator")).get(10, TimeUnit.SECONDS);
    }

    private CommandResult lastEvent() {
        return events.get(events.size() - 1).getCommandResult();
    }

    private static byte[] answer(String queryId, String deviceId, String text) {
        return Codecs.ANSWER.encode(Answer.newBuilder().setDeviceId(deviceId).setQueryId(queryId).setOk(true).setText(text)
                .setSource("fleet").build());
    }

    private static void await(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    // ---- local ----

    @Test
    void anInScopeCommandRunsItsBindingWithSlotsAndIsRecorded() throws Exception {
        AskService s = service(options("iot_hue_lightoff", "reply:Lights off in the {house_place}"));
        AskResult r = ask(s, "turn off the kitchen lights");
        assertEquals(AskResult.Outcome.DONE, r.outcome(), r.toString());
        assertEquals("local", r.decision());
        assertEquals("iot_hue_lightoff", r.intent());
        assertEquals("kitchen", r.slots().get("house_place"));
        assertEquals("Lights off in the kitchen", r.answer());
        assertEquals("nano", r.source());
        assertTrue(r.confidence() > 0.5f);
        assertTrue(r.answered());
        assertTrue(link.sent.isEmpty(), "answered on the device, nothing sent");
        CommandResult e = lastEvent();
        assertEquals("ask-" + r.id(), e.getCommandId());
        assertEquals(CommandResult.Status.OK, e.getStatus());
        assertEquals("Lights off in the kitchen", e.getMessage());
        assertEquals("iot_hue_lightoff", e.getOutputOrThrow("intent"));
        assertEquals("local", e.getOutputOrThrow("decision"));
        assertEquals("kitchen", e.getOutputOrThrow("slot.house_place"));
        assertEquals("operator", e.getOutputOrThrow("asked_by"));
        assertEquals("1", s.counters().get("ask.local"));
    }

    @Test
    void anIotIntentWithoutBindingSaysHowToBindIt() throws Exception {
        AskService s = service(options());
        AskResult r = ask(s, "turn off the kitchen lights");
        assertEquals(AskResult.Outcome.UNBOUND, r.outcome());
        assertTrue(r.error().startsWith("understood iot_hue_lightoff (") && r.error().contains("house_place=kitchen), but nothing "
                + "is bound to it on this device: add a binding"), r.error());
        assertTrue(r.error().contains("ask.bind.iot_hue_lightoff = reply:..."), r.error());
        assertFalse(r.answered());
        assertEquals(CommandResult.Status.REJECTED, lastEvent().getStatus());
    }

    @Test
    void theAgentsOwnActions() throws Exception {
        AskService s = service(options());
        AskResult status = ask(s, "what is the status of the device");
        assertEquals("agent_status", status.intent());
        assertTrue(status.answer().startsWith("connected to the fleet; 3 message(s) queued; detector scoring; up 1 h 2 min; alarms on"),
                status.answer());

        long before = clock.getAsLong();
        AskResult mute = ask(s, "mute alarms for ten minutes");
        assertEquals(AskResult.Outcome.DONE, mute.outcome(), mute.toString());
        assertTrue(mute.answer().startsWith("alarms muted for 10 min, until "), mute.answer());
        assertTrue(target.mutedUntil >= before + 600_000 && target.mutedUntil <= clock.getAsLong() + 600_000);
        assertTrue(ask(s, "what is the status of the device").answer().contains("alarms muted until"));

        AskResult interval = ask(s, "send a summary every five minutes");
        assertEquals(AskResult.Outcome.DONE, interval.outcome(), interval.toString());
        assertEquals(300_000, target.telemetryMs);
        AskResult noDuration = ask(s, "set the summary interval");
        assertEquals("agent_set_interval", noDuration.intent());
        assertEquals(AskResult.Outcome.FAILED, noDuration.outcome());
        assertEquals("say how often, e.g. 'send a summary every five minutes'", noDuration.error());
        AskResult tooRare = ask(s, "send a summary every two days");
        assertEquals(AskResult.Outcome.FAILED, tooRare.outcome(), tooRare.toString());
        assertEquals("the summary interval must be 100 ms to 1 d, not 2 d", tooRare.error());
        assertEquals(300_000, target.telemetryMs);

        assertEquals("no anomalies since the agent started (detector scoring)", ask(s, "show me the last five anomalies").answer());
        target.anomalies.add(new AnomalyLog.Entry(clock.getAsLong(), 2.5, 1.2, "pressure", false));
        target.anomalies.add(new AnomalyLog.Entry(clock.getAsLong() - 60_000, 1.9, 1.2, "flow", true));
        String last = ask(s, "show me the last five anomalies").answer();
        assertTrue(last.startsWith("2 anomalies, newest first: "), last);
        assertTrue(last.contains("score 2.50 (threshold 1.20, mostly pressure)") && last.contains("mostly flow, muted)"), last);

        assertEquals(AskResult.Outcome.DONE, ask(s, "recalibrate the sensors").outcome());
        assertEquals(1, target.recalibrations);
    }

    @Test
    void destructiveActionsWaitForConfirmation() throws Exception {
        clock = now::get;
        AskService s = service(options("iot_hue_lightoff", "modbus-coil:17:off", "iot_hue_lightdim", "modbus-register:40:{percentage}"));
        AskResult r = ask(s, "turn off the kitchen lights");
        assertEquals(AskResult.Outcome.CONFIRM, r.outcome());
        assertEquals(8, r.confirm().length());
        assertEquals("confirm: write coil 17 = off on plc:502 unit 1? run nanofleet-agent ask \"confirm " + r.confirm()
                + "\" within 1 min (or ask again with --yes)", r.answer());
        assertTrue(modbus.writes.isEmpty(), "nothing written before the confirmation");
        assertFalse(r.answered());
        int eventsBefore = events.size();

        AskResult done = ask(s, "confirm " + r.confirm());
        assertEquals(AskResult.Outcome.DONE, done.outcome(), done.toString());
        assertEquals("coil 17 set off (plc:502 unit 1)", done.answer());
        assertEquals("turn off the kitchen lights", done.text());
        assertEquals(List.of("coil 17=false"), modbus.writes);
        assertEquals(eventsBefore + 1, events.size(), "the executed action is recorded");
        assertEquals(CommandResult.Status.OK, lastEvent().getStatus());

        AskResult again = ask(s, "confirm " + r.confirm());
        assertEquals(AskResult.Outcome.REFUSED, again.outcome());
        assertTrue(again.error().startsWith("nothing waits for confirmation '" + r.confirm() + "' (a confirmation is good once"));

        AskResult yes = s.ask(AskRequest.local("dim the lights to 50 percent", true, 0, "")).get();
        assertEquals(AskResult.Outcome.DONE, yes.outcome(), yes.toString());
        assertEquals("register 40 set to 50 (plc:502 unit 1)", yes.answer());

        AskResult late = ask(s, "turn off the kitchen lights");
        now.addAndGet(61_000);
        AskResult expired = ask(s, "confirm " + late.confirm());
        assertEquals(AskResult.Outcome.REFUSED, expired.outcome());
        assertTrue(expired.error().contains("expired after 1 min; ask again"), expired.error());

        AskResult forFleet = ask(s, "turn off the kitchen lights");
        AskService.FleetAnswer other = s.askFromFleet("confirm " + forFleet.confirm(), false);
        assertEquals(AskResult.Outcome.REFUSED, other.result().outcome(), "a local operator's token is not the fleet's");
        assertEquals(AskResult.Outcome.DONE, ask(s, "confirm " + forFleet.confirm()).outcome(), "and stays good locally");

        modbus.failure = new java.io.IOException("Modbus plc:502 unit 1: write of coil 17 failed: connection refused");
        AskResult failed = s.ask(AskRequest.local("turn off the kitchen lights", true, 0, "")).get();
        assertEquals(AskResult.Outcome.FAILED, failed.outcome());
        assertEquals("write coil 17 = off on plc:502 unit 1 failed: Modbus plc:502 unit 1: write of coil 17 failed: connection refused",
                failed.error());
        assertEquals(CommandResult.Status.FAILED, lastEvent().getStatus());
    }

    @Test
    void restartIsConfirmedThenRunsTheHookLocallyAndIsLeftToTheInboxForTheFleet() throws Exception {
        AskService s = service(options());
        AskResult r = ask(s, "restart the agent");
        assertEquals(AskResult.Outcome.CONFIRM, r.outcome());
        assertTrue(r.answer().startsWith("confirm: restart the agent? "), r.answer());
        assertEquals(0, target.restarts);
        assertEquals("restarting the agent", ask(s, "confirm " + r.confirm()).answer());
        assertEquals(1, target.restarts);

        AskService.FleetAnswer f = s.askFromFleet("restart the agent", true);
        assertEquals(AskResult.Outcome.DONE, f.result().outcome());
        assertTrue(f.restart(), "the fleet's command result carries restart=true; the inbox restarts after queuing it");
        assertEquals(1, target.restarts);

        AskService.FleetAnswer unconfirmed = s.askFromFleet("restart the agent", false);
        assertEquals(AskResult.Outcome.CONFIRM, unconfirmed.result().outcome());
        assertTrue(unconfirmed.result().answer().contains("send ask with text 'confirm " + unconfirmed.result().confirm()),
                unconfirmed.result().answer());
        AskService.FleetAnswer confirmed = s.askFromFleet("confirm " + unconfirmed.result().confirm(), false);
        assertTrue(confirmed.restart());

        target.canRestart = false;
        AskResult embedded = ask(s, "restart the agent");
        assertEquals(AskResult.Outcome.FAILED, embedded.outcome());
        assertEquals("this agent runs embedded and cannot restart itself", embedded.error());
    }

    // ---- offload ----

    @Test
    void outOfScopeGoesToTheFleetWithResponseTopicAndCorrelationData() throws Exception {
        AskService s = service(options());
        CompletableFuture<AskResult> f = s.ask(AskRequest.local(WEATHER, false, 5000, "operator"));
        await("the query", () -> link.sent.size() == 1);
        Fakes.Sent q = link.sent.get(0);
        assertEquals(Topics.ask(ID), q.topic());
        assertEquals(Topics.answers(ID), q.responseTopic());
        Query query = q.query();
        assertArrayEquals(query.getQueryId().getBytes(StandardCharsets.UTF_8), q.correlation());
        assertEquals(ID, query.getDeviceId());
        assertEquals(WEATHER, query.getText());
        assertEquals("weather_query", query.getLocalIntent());
        assertTrue(query.getLocalConfidence() > 0 && query.getTimestampMs() > 0);
        assertEquals("operator", query.getContextOrThrow("asked_by"));
        assertFalse(f.isDone());

        s.answerArrived(answer(query.getQueryId(), ID, "Sunny, 21 degrees"), q.correlation());
        AskResult r = f.get(5, TimeUnit.SECONDS);
        assertEquals(AskResult.Outcome.DONE, r.outcome());
        assertEquals("offload", r.decision());
        assertEquals("weather_query", r.intent());
        assertEquals("Sunny, 21 degrees", r.answer());
        assertEquals("fleet", r.source());
        assertEquals(query.getQueryId(), r.id());
        await("the event", () -> !events.isEmpty());
        assertEquals("ask-" + query.getQueryId(), lastEvent().getCommandId());
        assertEquals("fleet", lastEvent().getOutputOrThrow("source"));
        assertEquals("1", s.counters().get("ask.answered"));
        assertEquals("0", s.counters().get("ask.pending"));
        assertEquals(0, files(".q"), "an answered question leaves the disk");
    }

    @Test
    void wrongUnknownAndMalformedAnswersAreIgnoredCountedAndNeverReachTheWrongAsker() throws Exception {
        AskService s = service(options());
        CompletableFuture<AskResult> a = s.ask(AskRequest.local(WEATHER, false, 10_000, ""));
        CompletableFuture<AskResult> b = s.ask(AskRequest.local("tell me a joke", false, 10_000, ""));
        await("two queries", () -> link.sent.size() == 2);
        String qa = link.sent.get(0).query().getQueryId();
        String qb = link.sent.get(1).query().getQueryId();

        s.handleAnswer(answer(qa, ID, "for a"), "q-nobody".getBytes(StandardCharsets.UTF_8));
        assertEquals("1", s.counters().get("ask.answers.unknown_correlation"));
        assertTrue(s.lastRefusal().contains("unknown correlation data 'q-nobody'"), s.lastRefusal());
        s.handleAnswer(answer(qa, ID, "for a, sent to b"), qb.getBytes(StandardCharsets.UTF_8));
        assertEquals("1", s.counters().get("ask.answers.mismatched"));
        s.handleAnswer(answer(qb, "other-device", "for b, other device"), qb.getBytes(StandardCharsets.UTF_8));
        assertEquals("2", s.counters().get("ask.answers.mismatched"));
        s.handleAnswer(answer(qa, ID, "no correlation"), null);
        assertEquals("2", s.counters().get("ask.answers.unknown_correlation"));
        s.handleAnswer(new byte[] {8, 1, 16, 3, (byte) 0xff}, qa.getBytes(StandardCharsets.UTF_8));
        s.handleAnswer(Codecs.QUERY.encode(link.sent.get(0).query()), qa.getBytes(StandardCharsets.UTF_8));
        assertEquals("2", s.counters().get("ask.answers.malformed"));
        assertTrue(s.lastRefusal().startsWith("malformed answer ignored: WRONG_TYPE: expected ANSWER"), s.lastRefusal());
        assertFalse(a.isDone() || b.isDone(), "no answer reached an asker it was not for");

        s.handleAnswer(answer(qa, ID, "for a"), qa.getBytes(StandardCharsets.UTF_8));
        assertEquals("for a", a.get(5, TimeUnit.SECONDS).answer());
        assertFalse(b.isDone());
        s.handleAnswer(answer(qa, ID, "for a, again"), qa.getBytes(StandardCharsets.UTF_8));
        assertEquals("3", s.counters().get("ask.answers.unknown_correlation"), "a second answer finds nobody waiting");
        s.handleAnswer(answer(qb, ID, "for b"), qb.getBytes(StandardCharsets.UTF_8));
        assertEquals("for b", b.get(5, TimeUnit.SECONDS).answer());
    }

    @Test
    void aTimeoutLeavesTheQuestionPendingAndTheLateAnswerIsRecorded() throws Exception {
        AskService s = service(options());
        AskResult r = s.ask(AskRequest.local(WEATHER, false, 300, "")).get(5, TimeUnit.SECONDS);
        assertEquals(AskResult.Outcome.PENDING, r.outcome());
        assertTrue(r.error().startsWith("the fleet did not answer within 300 ms; the question stays pending until "), r.error());
        assertTrue(r.error().endsWith("a later answer is recorded ('nanofleet-agent ask --id " + r.id() + "' shows the answer)"),
                r.error());
        assertEquals("1", s.counters().get("ask.timeouts"));
        assertEquals("1", s.counters().get("ask.pending"));
        assertTrue(events.isEmpty(), "nothing to record yet");

        s.handleAnswer(answer(r.id(), ID, "late but right"), r.id().getBytes(StandardCharsets.UTF_8));
        AskResult later = s.result(r.id(), 0).get(5, TimeUnit.SECONDS);
        assertEquals(AskResult.Outcome.DONE, later.outcome());
        assertEquals("late but right", later.answer());
        assertEquals(CommandResult.Status.OK, lastEvent().getStatus());
        assertEquals("late but right", lastEvent().getMessage());
        assertEquals(AskResult.Outcome.REFUSED, s.result("q-unknown", 0).get().outcome());
    }

    @Test
    void offlineQuestionsWaitOnDiskAcrossARestartAndGoOutWhenTheLinkIsBack() throws Exception {
        link.connected = false;
        AskService s = service(options());
        AskResult r = s.ask(AskRequest.local(WEATHER, false, 100, "")).get(5, TimeUnit.SECONDS);
        assertEquals(AskResult.Outcome.PENDING, r.outcome());
        assertTrue(r.error().startsWith("the fleet is not reachable now; the question is kept on the device and goes out when "
                + "the connection is back; it expires at "), r.error());
        assertTrue(link.sent.isEmpty());
        assertEquals(1, files(".q"), "kept on disk");
        s.close();

        // The agent restarts while the fleet is still away: the question is read back from disk.
        AskService again = service(options());
        assertEquals("1", again.counters().get("ask.restored"));
        assertEquals("1", again.counters().get("ask.pending"));
        CompletableFuture<AskResult> waiting = again.result(r.id(), 10_000);
        link.connected = true;
        again.connected();
        await("the query after the reconnect", () -> link.sent.size() == 1);
        assertEquals(r.id(), link.sent.get(0).query().getQueryId());
        assertEquals(WEATHER, link.sent.get(0).query().getText());
        await("the sent marker", () -> files(".sent") == 1);
        again.connected();
        Thread.sleep(100);
        assertEquals(1, link.sent.size(), "an acknowledged question is not sent again");

        again.answerArrived(answer(r.id(), ID, "Rain"), r.id().getBytes(StandardCharsets.UTF_8));
        AskResult answered = waiting.get(5, TimeUnit.SECONDS);
        assertEquals(AskResult.Outcome.DONE, answered.outcome());
        assertEquals("Rain", answered.answer());
        assertEquals(0, files(".q") + files(".sent"));
    }

    @Test
    void unansweredQuestionsExpireWithAClearMessage() throws Exception {
        AskService s = service(options().offloadExpiryMs(400));
        AskResult r = s.ask(AskRequest.local(WEATHER, false, 5000, "")).get(5, TimeUnit.SECONDS);
        assertEquals(AskResult.Outcome.EXPIRED, r.outcome());
        assertEquals("the fleet did not answer within 400 ms; ask again", r.error());
        assertEquals(CommandResult.Status.EXPIRED, lastEvent().getStatus());
        assertEquals("1", s.counters().get("ask.expired"));
        assertEquals(0, files(".q"));
        s.handleAnswer(answer(r.id(), ID, "too late"), r.id().getBytes(StandardCharsets.UTF_8));
        assertEquals("1", s.counters().get("ask.answers.unknown_correlation"));
        assertEquals(AskResult.Outcome.EXPIRED, s.result(r.id(), 0).get().outcome());
    }

    @Test
    void aQuestionThatExpiredWhileTheAgentWasDownEndsAtStart() throws Exception {
        link.connected = false;
        AskService s = service(options().offloadExpiryMs(200));
        AskResult r = s.ask(AskRequest.local(WEATHER, false, 0, "")).get(5, TimeUnit.SECONDS);
        s.close();
        Thread.sleep(300);
        AskService again = service(options());
        await("the expiry", () -> "1".equals(again.counters().get("ask.expired")));
        assertEquals(AskResult.Outcome.EXPIRED, again.result(r.id(), 0).get().outcome());
        assertTrue(link.sent.isEmpty());
    }

    @Test
    void theFleetsOwnQuestionsAreNotSentBackToIt() throws Exception {
        AskService s = service(options());
        AskService.FleetAnswer f = s.askFromFleet(WEATHER, false);
        assertEquals(AskResult.Outcome.OFFLOADED, f.result().outcome());
        assertEquals("this device hands this question to the fleet", f.result().answer());
        assertEquals("weather_query", f.result().intent());
        assertTrue(link.sent.isEmpty());
        assertTrue(events.isEmpty(), "the command's result event records it, not the service");
        AskService.FleetAnswer local = s.askFromFleet("what is the status of the device", false);
        assertEquals(AskResult.Outcome.DONE, local.result().outcome());
    }

    @Test
    void refusals() throws Exception {
        AskService s = service(options().maxPending(1));
        assertTrue(ask(s, "  ").error().startsWith("nothing to ask"));
        assertTrue(ask(s, "x".repeat(1001)).error().contains("at most 1000"));
        s.ask(AskRequest.local(WEATHER, false, 0, ""));
        AskResult full = ask(s, "tell me a joke");
        assertEquals(AskResult.Outcome.REFUSED, full.outcome());
        assertTrue(full.error().startsWith("1 questions already wait for the fleet (ask.max-pending)"), full.error());
        link.carries = false;
        AskResult coap = ask(s, "tell me a joke");
        assertTrue(coap.error().contains("CoAP has no response topics"), coap.error());
    }

    @Test
    void registerValuesFromSlots() {
        assertEquals(50, Actions.registerValue("50 percent"));
        assertEquals(50, Actions.registerValue("50%"));
        assertEquals(50, Actions.registerValue("fifty"));
        assertEquals(-1, Actions.registerValue("2.5"));
        assertEquals(-1, Actions.registerValue("lots"));
        assertEquals(-1, Actions.registerValue("70000"));
        assertEquals("Lights off in the kitchen.", Actions.fill("Lights off in the {house_place}.", Map.of("house_place", "kitchen")));
        assertEquals("Lights off.", Actions.fill("Lights off {house_place}.", Map.of()));
    }

    private long files(String suffix) {
        try (Stream<Path> s = Files.list(dir.resolve("ask"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
