package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.IntentTrainer;
import io.nanofleet.intents.model.Prediction;
import io.nanofleet.intents.model.TrainOptions;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.server.store.EventRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the command model through the signed update channel, end to end. The real fleet server in its default
 * mode (root and targets keys offline, in an operator folder); one real agent enrolled with its own Enroller, on
 * mutual TLS, with the update channel the {@code run} command builds ({@link UpdateChannel#overHttp}: the command
 * model's slots in {@code state/command-models}, beside the anomaly model's).
 *
 * <p>A command model trained here (the agent's own operator commands plus some out-of-scope sentences) is signed
 * offline as a {@code command-model} target, uploaded (the server loads it before publishing), assigned through
 * the REST API, verified, checked on the probe set and committed by the agent: from then on the agent's command
 * model answers with it, the retained state names it, and it survives a restart. Then a release that loads but
 * answers nothing locally is rolled out to the same device: the agent rolls it back (result 8), the rollout stops at
 * the canary and re-assigns the device's previous command model, which the server learnt from the state's
 * {@code command_model}, not the anomaly model.
 */
class CommandModelUpdateIT {
    static final String HW = "sim-gw";
    static final String ID = "gw-cmd";
    static final String GOOD = "models/command-v1.nfm";
    static final String BAD = "models/command-v2-offloads-everything.nfm";

    @TempDir
    Path dir;

    private FleetServer server;
    private DeviceAgent agent;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        scheduler.shutdownNow();
    }

    /** Out-of-scope sentences (scenario, intent, text): what teaches the trained model where its scope ends. */
    static final String[][] OUT_OF_SCOPE = {
        {"weather", "weather_query", "will it rain this weekend"}, {"weather", "weather_query", "how hot will it be on monday"},
        {"weather", "weather_query", "do i need an umbrella today"}, {"weather", "weather_query", "what's the forecast for london"},
        {"weather", "weather_query", "is it going to snow tonight"}, {"weather", "weather_query", "how windy is it outside"},
        {"music", "play_music", "put on my running playlist"}, {"music", "play_music", "play the new album by adele"},
        {"music", "play_music", "shuffle some rock songs"}, {"music", "play_music", "i want to hear classical piano"},
        {"music", "play_music", "turn on the radio station bbc one"}, {"music", "play_music", "play something relaxing"},
        {"calendar", "calendar_query", "when is my next meeting"}, {"calendar", "calendar_query", "do i have anything on friday"},
        {"calendar", "calendar_set", "add a dentist appointment on thursday at noon"},
        {"calendar", "calendar_set", "remind me to call mom tomorrow"}, {"calendar", "calendar_query", "what's my schedule for next week"},
        {"calendar", "calendar_set", "schedule lunch with anna on tuesday"},
        {"news", "news_query", "what's happening in the world today"}, {"news", "news_query", "any news about the elections"},
        {"news", "news_query", "give me the sports headlines"}, {"news", "news_query", "what are the top stories this morning"},
        {"news", "news_query", "latest business news please"}, {"news", "news_query", "tell me the technology news"},
        {"cooking", "cooking_recipe", "how do i make pancakes"}, {"cooking", "cooking_recipe", "give me a recipe for lasagna"},
        {"cooking", "cooking_recipe", "how long do i boil an egg"},
        {"cooking", "cooking_recipe", "what can i cook with chicken and rice"}, {"cooking", "cooking_recipe", "how do you bake bread"},
        {"cooking", "cooking_recipe", "find a vegetarian curry recipe"},
        {"transport", "transport_query", "when is the next train to berlin"}, {"transport", "transport_ticket", "book a flight to new york"},
        {"transport", "transport_taxi", "call me a taxi to the airport"},
        {"transport", "transport_query", "how long is the drive to the coast"},
        {"transport", "transport_ticket", "buy a bus ticket for tomorrow morning"},
        {"transport", "transport_query", "is there traffic on the highway"},
        {"qa", "qa_factoid", "how tall is mount everest"}, {"qa", "qa_factoid", "who wrote romeo and juliet"},
        {"qa", "qa_definition", "what does the word serendipity mean"}, {"qa", "qa_maths", "what is fifteen times twelve"},
        {"qa", "qa_factoid", "how many people live in china"}, {"qa", "qa_currency", "how much is a dollar in euros"},
        {"email", "email_sendemail", "write an email to john about the report"}, {"email", "email_query", "do i have any new emails"},
        {"email", "email_query", "check my inbox"}, {"email", "email_sendemail", "reply to sarah that i agree"},
        {"general", "general_joke", "make me laugh"}, {"general", "general_greet", "hello how are you"},
        {"general", "general_quirky", "what is the meaning of life"}, {"general", "general_joke", "do you know any funny stories"},
        {"lists", "lists_createoradd", "add milk to my shopping list"}, {"lists", "lists_query", "what's on my to do list"},
        {"alarm", "alarm_set", "wake me up at six thirty"}, {"alarm", "alarm_set", "set a timer for ten minutes"},
        {"alarm", "alarm_query", "what alarms do i have tomorrow"},
        {"takeaway", "takeaway_order", "order sushi for delivery"}, {"takeaway", "takeaway_query", "is the chinese place still open"},
    };

    /**
     * A command model of this fleet's own: the agent's operator commands (the intents module's data set) plus the
     * out-of-scope sentences above, the default network, answered locally above a confidence of 0.8. Its label
     * space (the 6 agent intents and the 24 above) is not the shipped model's, so it is plainly another model.
     * (Three epochs, as a first try, leave it below the probe's floor: it offloads every command.)
     */
    static CommandModel trainedCommandModel() throws Exception {
        List<Utterance> data;
        try (InputStream in = Utterance.class.getResourceAsStream("/io/nanofleet/intents/agent-commands.jsonl")) {
            data = new ArrayList<>(UtteranceReader.read(in, "agent-commands.jsonl", true));
        }
        for (String[] u : OUT_OF_SCOPE) {
            data.add(new Utterance(u[2], u[0], u[1], List.of()));
        }
        return new IntentTrainer(TrainOptions.defaults(Set.of("iot", "agent")), m -> { })
                .train(data, IntentTrainer.labels(data), 1f, 0.8f);
    }

    @Test
    void aCommandModelIsInstalledThroughTheSignedChannelAndABadOneIsRolledBack() throws Exception {
        server = new FleetServer(ServerConfig.builder().httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1")
                .plainMqtt(false).mqttsPort(0).coapPort(0).dataDir(dir.resolve("server")).build()).start();
        String base = "http://127.0.0.1:" + server.httpPort();
        String admin = server.adminToken();
        OperatorFolder operator = OperatorFolder.openOrCreate(dir.resolve("operator"));
        operator.initServerRoot(base, admin);

        String token = new JsonObject(send("POST", base + "/api/v1/enrollment-tokens",
                new JsonObject().put("deviceId", ID).put("ttlSeconds", 600).encode(), admin, 201)).getString("token");
        Path home = dir.resolve("agent");
        Credentials creds = new Credentials(home.resolve("credentials"));
        Enroller.Result enrolled = new Enroller(null).enroll(base, token, ID, HW, DeviceAgent.VERSION, creds);
        startAgent(base, enrolled, creds, home);
        String shipped = agent.commandModel().sha256();
        await(Duration.ofSeconds(60), "agent online and scoring", () -> online(ID) && agent.detector().scoredSamples() > 0);
        String anomaly = agent.detector().modelSha256();

        // 1. A new command model: signed offline as a command-model target, uploaded, assigned, committed.
        CommandModel trained = trainedCommandModel();
        byte[] good = trained.toBytes();
        Path goodFile = Files.write(operator.dir().resolve("command-v1.nfm"), good);
        JsonObject published = operator.upload(base, admin, goodFile, GOOD, operator.sign(goodFile, GOOD, "command-model", HW, 1));
        assertEquals("command-model", published.getString("kind"), published.encode());
        send("POST", base + "/api/v1/devices/" + ID + "/model", new JsonObject().put("model", GOOD).encode(), admin, 202);
        String goodSha = RealAgents.sha256(good);
        await(Duration.ofSeconds(90), "command model committed", () -> goodSha.equals(agent.commandModel().sha256()));
        InstallProgress committed = finalReport(GOOD).orElseThrow();
        assertEquals(1, committed.getResult(), committed.toString());
        assertTrue(committed.getMessage().startsWith("command model committed: probe 24/24 commands right"), committed.getMessage());
        assertNotEquals(shipped, goodSha);
        assertEquals(GOOD, agent.commandModel().name());
        assertEquals(trained.intents(), agent.commandModel().get().intents(), "the agent answers with the trained model");
        Prediction restart = agent.commandModel().get().predictor().predict("could you restart the agent please");
        assertTrue(restart.local() && restart.intent().equals("agent_restart"), restart.toString());
        Prediction weather = agent.commandModel().get().predictor().predict("what will the weather be like on sunday");
        assertFalse(weather.local(), "out of scope goes to the fleet: " + weather);
        assertEquals(anomaly, agent.detector().modelSha256(), "the anomaly detector is not touched");
        assertEquals(1, agent.modelUpdater().commandModelsCommitted());

        // 2. A release that loads (the server publishes it) but answers nothing locally, rolled out to this device.
        CommandModel offloads = trained.withCalibration(100f, 1.0f);
        Path badFile = Files.write(operator.dir().resolve("command-v2.nfm"), offloads.toBytes());
        operator.upload(base, admin, badFile, BAD, operator.sign(badFile, BAD, "command-model", HW, 2));
        Thread.sleep(1500); // a few retained states (every 250 ms) carry command_model = GOOD to the server's rollout signals
        JsonObject plan = new JsonObject().put("model", BAD).put("devices", new JsonArray().add(ID))
                .put("waves", new JsonArray(List.of("1"))).put("baselineMs", 1000).put("observeMs", 1000)
                .put("installTimeoutMs", 60_000);
        String rolloutId = new JsonObject(send("POST", base + "/api/v1/rollouts", plan.encode(), admin, 201)).getString("id");
        await(Duration.ofSeconds(90), "rollout stopped", () -> "PAUSED".equals(rollout(base, rolloutId, admin).getString("state")));
        JsonObject stopped = rollout(base, rolloutId, admin);
        assertEquals(List.of("CREATED", "WAVE_STARTED", "INSTALL_FAILED", "ROLLED_BACK", "PAUSED"), steps(stopped), stopped.encodePrettily());
        JsonObject canary = stopped.getJsonArray("waves").getJsonObject(0);
        assertEquals(GOOD, canary.getJsonObject("previous").getString(ID),
                "the previous model of the rollout's kind, from the state's command_model: " + canary.encode());
        assertTrue(stopped.getString("reason").contains("probe: 0/24 commands right"), stopped.getString("reason"));
        InstallProgress refused = finalReport(BAD).orElseThrow();
        assertEquals(8, refused.getResult(), refused.toString());
        // The engine re-assigned GOOD: it is the device's active command slot, so it is confirmed as running.
        await(Duration.ofSeconds(60), "previous command model re-assigned", () -> reports(GOOD).stream()
                .filter(p -> p.getResult() == 1).count() == 2);
        assertEquals(goodSha, agent.commandModel().sha256(), "the device still answers with " + GOOD);
        assertEquals(1, agent.modelUpdater().commandModelsRolledBack());
        assertEquals(anomaly, agent.detector().modelSha256());

        // 3. After a restart the installed command model is loaded again, not the shipped one.
        agent.close();
        startAgent(base, enrolled, creds, home);
        assertEquals(goodSha, agent.commandModel().sha256());
        assertEquals(GOOD, agent.commandModel().name());
        assertEquals(trained.intents(), agent.commandModel().get().intents());
    }

    private void startAgent(String base, Enroller.Result enrolled, Credentials creds, Path home) throws Exception {
        Path state = home.resolve("state");
        UpdateChannel.initialize(state, creds.read(Credentials.ROOT).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        agent = DeviceAgent.builder().deviceId(ID).hardwareId(HW).broker(enrolled.mqttUrl()).tls(creds.sslContext())
                .commandKey(creds.commandKey()).sensor(new SimulatedSensor(1)).stateDir(state).scheduler(scheduler)
                .sampleIntervalMs(10).telemetryIntervalMs(2000).stateIntervalMs(250)
                .updates(UpdateChannel.overHttp(base, state, ID, HW), 200).build();
        ModelUpdater updater = agent.modelUpdater();
        assertTrue(updater.takesCommandModels());
        agent.start();
    }

    /** The device's install reports for a target, oldest first, from the server's event store. */
    private List<InstallProgress> reports(String target) {
        List<InstallProgress> out = new ArrayList<>();
        try {
            for (EventRow row : server.store().events(ID, 500)) {
                Event e = Event.parseFrom(row.payload());
                if (e.hasInstallProgress() && e.getInstallProgress().getTargetName().equals(target)) {
                    out.add(0, e.getInstallProgress());
                }
            }
        } catch (Exception e) {
            return List.of();
        }
        return out;
    }

    /** The device's last IDLE report with a result for a target. */
    private Optional<InstallProgress> finalReport(String target) {
        List<InstallProgress> r = reports(target);
        for (int i = r.size() - 1; i >= 0; i--) {
            if (r.get(i).getState() == InstallProgress.State.IDLE && r.get(i).getResult() != 0) {
                return Optional.of(r.get(i));
            }
        }
        return Optional.empty();
    }

    private boolean online(String id) {
        try {
            return server.store().devices().stream().anyMatch(d -> d.deviceId().equals(id) && d.online());
        } catch (Exception e) {
            return false;
        }
    }

    private JsonObject rollout(String base, String id, String token) {
        try {
            return new JsonObject(send("GET", base + "/api/v1/rollouts/" + id, null, token, 200));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> steps(JsonObject rollout) {
        return rollout.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getString("step")).collect(Collectors.toList());
    }

    private String send(String method, String url, String json, String token, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), method + " " + url + " -> " + r.body());
        return r.body();
    }

    private static void await(Duration timeout, String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }
}
