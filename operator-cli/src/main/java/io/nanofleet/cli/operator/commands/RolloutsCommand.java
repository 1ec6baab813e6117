package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.CliException;
import io.nanofleet.cli.operator.DurationConverter;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.Table;
import io.nanofleet.cli.operator.rollout.RolloutFeed;
import io.nanofleet.cli.operator.rollout.RolloutFeeds;
import io.nanofleet.cli.operator.rollout.RolloutView;
import io.nanofleet.cli.operator.rollout.RolloutWatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nanofleet rollouts create|list|show|watch|pause|resume|abort}. */
@Command(name = "rollouts", description = "Staged, health-gated model rollouts: create, list, show, watch, pause, resume, abort.",
        subcommands = {RolloutsCommand.Create.class, RolloutsCommand.ListRollouts.class, RolloutsCommand.Show.class,
                RolloutsCommand.Watch.class, RolloutsCommand.Pause.class, RolloutsCommand.Resume.class, RolloutsCommand.Abort.class})
public final class RolloutsCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw usage("missing subcommand: create, list, show, watch, pause, resume or abort (nanofleet rollouts --help)");
    }

    static String path(String id) {
        return "/api/v1/rollouts/" + ApiClient.seg(id);
    }

    static ApiClient.NotFound unknown(String id) {
        return new ApiClient.NotFound("no rollout " + id, "nanofleet rollouts list shows them");
    }

    /** How {@code watch} (and {@code create --watch}) follows a rollout. */
    static final class WatchOptions {
        @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1s",
                description = "how often to ask the server (default: ${DEFAULT-VALUE})")
        Duration interval;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "stop watching after this (exit 1; the rollout goes on)")
        Duration timeout;

        @Option(names = "--until-paused", description = "also stop when an operator pauses the rollout (exit 3)")
        boolean untilPaused;

        int watch(BaseCommand c, String id) throws InterruptedException {
            if (interval.toMillis() < 100) {
                throw c.usage("--interval must be at least 100ms");
            }
            RolloutWatcher w = new RolloutWatcher(c.env(), RolloutWatcher.mode(c.env(), c.json()), untilPaused, timeout);
            try (RolloutFeed feed = RolloutFeeds.open(c.api(), c.env(), id, interval.toMillis())) {
                return w.watch(feed, interval.toMillis());
            }
        }
    }

    /** Which devices: explicit ids, or the online devices of a group (default: every online device). */
    static final class Devices {
        @Option(names = "--device", required = true, split = ",", paramLabel = "ID", description = "these devices (repeatable, or comma-separated)")
        List<String> devices;

        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "the online devices of this group")
        String group;
    }

    @Command(name = "create", description = {"Start a rollout (POST /api/v1/rollouts; operator): the devices are split into cumulative "
            + "waves; each wave must install and stay healthy against its own baseline, else it is rolled back and the rollout pauses.",
            "Default devices: every online device. Unset thresholds and times are the server's defaults."})
    public static final class Create extends BaseCommand {
        @Option(names = "--model", required = true, paramLabel = "NAME", description = "a published model, e.g. models/anomaly-v2.nfm")
        String model;

        @ArgGroup(exclusive = true)
        Devices devices;

        @Option(names = "--waves", split = ",", paramLabel = "SIZE", description = "cumulative wave sizes: a count or a percentage, "
                + "e.g. 1,10%%,50%%,100%% (the server's default); the last wave takes every remaining device")
        List<String> waves;

        @Option(names = "--anomaly-rate-factor", paramLabel = "X", description = "fail a wave when its anomaly rate exceeds before x X + slack")
        Double anomalyRateFactor;

        @Option(names = "--anomaly-rate-slack", paramLabel = "X", description = "anomaly events per device-minute allowed on top")
        Double anomalyRateSlack;

        @Option(names = "--latency-increase-pct", paramLabel = "PCT", description = "fail when mean inference latency rises more than this")
        Double latencyIncreasePct;

        @Option(names = "--max-restarts", paramLabel = "N", description = "fail when more restarts than this happen in a wave")
        Integer maxRestarts;

        @Option(names = "--baseline", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "health window before each wave's assignment (server default 10m)")
        Duration baseline;

        @Option(names = "--observe", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "health window after each wave installed (server default 10m)")
        Duration observe;

        @Option(names = "--install-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "a wave fails when its devices have not installed within this (server default 30m)")
        Duration installTimeout;

        @Option(names = "--watch", description = "then watch it, as nanofleet rollouts watch does")
        boolean watch;

        @Mixin
        WatchOptions watchOptions;

        @Override
        public Integer call() throws InterruptedException {
            ObjectNode body = Json.MAPPER.createObjectNode().put("model", model);
            if (devices != null && devices.devices != null) {
                ArrayNode a = body.putArray("devices");
                devices.devices.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(a::add);
            } else if (devices != null) {
                body.put("group", devices.group);
            }
            if (waves != null) {
                ArrayNode a = body.putArray("waves");
                waves.stream().map(String::trim).forEach(a::add);
            }
            ObjectNode t = Json.MAPPER.createObjectNode();
            if (anomalyRateFactor != null) {
                t.put("anomalyRateFactor", anomalyRateFactor);
            }
            if (anomalyRateSlack != null) {
                t.put("anomalyRateSlack", anomalyRateSlack);
            }
            if (latencyIncreasePct != null) {
                t.put("latencyIncreasePct", latencyIncreasePct);
            }
            if (maxRestarts != null) {
                t.put("maxRestarts", maxRestarts);
            }
            if (!t.isEmpty()) {
                body.set("thresholds", t);
            }
            putMs(body, "baselineMs", "--baseline", baseline);
            putMs(body, "observeMs", "--observe", observe);
            putMs(body, "installTimeoutMs", "--install-timeout", installTimeout);
            JsonNode r = api().post("/api/v1/rollouts", body);
            if (!watch) {
                if (json()) {
                    printJson(r);
                } else {
                    show(this, r);
                }
                return ExitCodes.OK;
            }
            if (!json()) {
                out().println("Created " + Json.text(r, "id") + "; watching it (Ctrl+C stops watching, not the rollout)");
            }
            return watchOptions.watch(this, Json.text(r, "id"));
        }

        private void putMs(ObjectNode body, String field, String option, Duration d) {
            if (d == null) {
                return;
            }
            if (d.toMillis() < 1) {
                throw usage(option + " must be positive");
            }
            body.put(field, d.toMillis());
        }
    }

    @Command(name = "list", description = "List rollouts, newest first (GET /api/v1/rollouts).")
    public static final class ListRollouts extends BaseCommand {
        @Override
        public Integer call() {
            JsonNode r = api().get("/api/v1/rollouts");
            if (json()) {
                printJson(r);
                return ExitCodes.OK;
            }
            Table t = new Table("id", "model", "state", "wave", "reason");
            for (JsonNode x : r.path("rollouts")) {
                t.row(Json.text(x, "id"), Json.text(x, "model"), Json.text(x, "state"), x.path("currentWave").asInt() + "/" + x.path("waves").asInt(),
                        Json.text(x, "reason"));
            }
            if (t.size() == 0) {
                err().println("no rollouts yet: nanofleet rollouts create --model NAME ...");
            } else {
                t.print(out());
            }
            return ExitCodes.OK;
        }
    }

    static void show(BaseCommand c, JsonNode r) {
        c.out().println(RolloutView.header(r));
        JsonNode th = r.path("thresholds");
        List<String> ths = new ArrayList<>();
        th.properties().forEach(e -> ths.add(e.getKey() + "=" + e.getValue().asText()));
        c.out().println("thresholds: " + String.join(" ", ths) + "; baseline " + Format.duration(Duration.ofMillis(r.path("baselineMs").asLong()))
                + ", observe " + Format.duration(Duration.ofMillis(r.path("observeMs").asLong())) + ", install timeout "
                + Format.duration(Duration.ofMillis(r.path("installTimeoutMs").asLong())));
        c.out().println();
        RolloutView.waves(r, c.now()).print(c.out());
        if (r.path("steps").size() > 0) {
            c.out().println();
            Table s = new Table("time", "step", "actor", "detail");
            for (JsonNode x : r.path("steps")) {
                s.row(Format.time(x.path("tsMs").asLong(), c.env().zone()), Json.text(x, "step"), Json.text(x, "actor"), Json.text(x, "detail"));
            }
            s.print(c.out());
        }
    }

    @Command(name = "show", description = "Show a rollout: waves, their devices' progress and health, every step (GET /api/v1/rollouts/{id}).")
    public static final class Show extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "rollout id (ro-...)")
        String id;

        @Override
        public Integer call() {
            JsonNode r = api().get(path(id), unknown(id));
            if (json()) {
                printJson(r);
            } else {
                show(this, r);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "watch", description = {"Follow a rollout until it ends; redraws in place on a terminal, else one line per step.",
            "Exit 0 completed; 1 aborted, or stopped by its health gate (a wave failed and was rolled back); "
                    + "3 paused by an operator (only with --until-paused; otherwise the watch waits for a resume).",
            "It polls GET /api/v1/rollouts/{id} every --interval."})
    public static final class Watch extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "rollout id (ro-...)")
        String id;

        @Mixin
        WatchOptions watchOptions;

        @Override
        public Integer call() throws InterruptedException {
            return watchOptions.watch(this, id);
        }
    }

    /**
     * pause / resume / abort: the server queues the request and its leading instance applies it within a second;
     * the command waits (at most {@code --wait}) until the step shows in the rollout, so what follows sees it.
     */
    abstract static class Request extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "rollout id (ro-...)")
        String id;

        @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
                description = "how long to wait until the server has applied it (default: ${DEFAULT-VALUE}; 0s: do not wait)")
        Duration wait;

        abstract String action();

        /** The step the engine records when it applies the request. */
        abstract String step();

        /** The state in which the request changes nothing (the engine then records no step). */
        abstract String noOpState();

        @Override
        public Integer call() throws InterruptedException {
            JsonNode before = api().post(path(id) + "/" + action(), null, unknown(id));
            long seq = 0;
            for (JsonNode s : before.path("steps")) {
                seq = Math.max(seq, s.path("seq").asLong());
            }
            JsonNode now = before;
            boolean applied = false;
            boolean noOp = noOpState().equals(RolloutView.state(before));
            long deadline = now() + wait.toMillis();
            while (!noOp && !applied && now() < deadline) {
                env().sleep(Duration.ofMillis(Math.min(250, Math.max(1, deadline - now()))));
                now = api().get(path(id), unknown(id));
                applied = RolloutView.stepsAfter(now, seq).stream().anyMatch(s -> step().equals(Json.text(s, "step")));
            }
            if (json()) {
                printJson(now);
            } else if (noOp) {
                out().println(id + " is already " + noOpState().toLowerCase(java.util.Locale.ROOT) + "; nothing to " + action());
            } else if (applied) {
                out().println(RolloutView.header(now));
            } else {
                out().println(action().substring(0, 1).toUpperCase(java.util.Locale.ROOT) + action().substring(1) + " of " + id
                        + " requested; the server has not applied it yet (see: nanofleet rollouts show " + id + ")");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", description = {"Pause a rollout: it does not advance until it is resumed (POST /api/v1/rollouts/{id}/pause).",
            "Waits until the server has applied it (--wait), then shows the rollout's state."})
    public static final class Pause extends Request {
        @Override
        String action() {
            return "pause";
        }

        @Override
        String step() {
            return "PAUSED";
        }

        @Override
        String noOpState() {
            return "PAUSED";
        }
    }

    @Command(name = "resume", description = {"Resume a paused rollout; a wave that failed is retried (POST /api/v1/rollouts/{id}/resume).",
            "Waits until the server has applied it (--wait), then shows the rollout's state."})
    public static final class Resume extends Request {
        @Override
        String action() {
            return "resume";
        }

        @Override
        String step() {
            return "RESUMED";
        }

        @Override
        String noOpState() {
            return "RUNNING";
        }
    }

    @Command(name = "abort", description = {"Abort a rollout: every device it reached goes back to its previous model; it cannot be resumed "
            + "(POST /api/v1/rollouts/{id}/abort).", "Asks for confirmation on a terminal; in scripts add --yes. "
            + "Waits until the server has applied it (--wait)."})
    public static final class Abort extends Request {
        @Option(names = {"-y", "--yes"}, description = "do not ask")
        boolean yes;

        @Override
        String action() {
            return "abort";
        }

        @Override
        String step() {
            return "ABORTED";
        }

        @Override
        String noOpState() {
            return "ABORTED"; // the server answers 409 for it first
        }

        @Override
        public Integer call() throws InterruptedException {
            if (!yes && !confirm("Abort rollout " + id + "? Its devices go back to their previous model; it cannot be resumed.",
                    "refusing to abort " + id)) {
                throw new CliException(ExitCodes.FAILED, "not aborted: not confirmed");
            }
            return super.call();
        }
    }
}
