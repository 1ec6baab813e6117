package io.nanofleet.server.ask;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.server.store.DeviceRow;
import io.nanofleet.server.store.FleetStore;
import io.nanofleet.server.store.SummaryRow;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The placeholder {@link Answerer} until issue 14 brings the mini and full tiers (MiniLM embeddings, a cloud
 * LLM router): it runs no model and answers only what a keyword lookup in fleet data can answer honestly, about
 * the asking device only.
 * <ul>
 *   <li>"status": online or offline, last seen, agent version and hardware (the device row in the store);</li>
 *   <li>"model"/"models": the anomaly model the device last reported in its state (the rollout signals);</li>
 *   <li>"summary"/"summaries": its latest stored telemetry summary, per channel (the store, as the REST API reads it).</li>
 * </ul>
 * Any of these words (whole words, any case) gives an {@code ok=true} answer built from what the fleet knows,
 * which may be that it knows nothing yet. Anything else is {@code ok=false}, {@code source="fleet"},
 * {@code error=}{@link #NO_MODEL}. {@code intent} stays empty: these are facts to show, not something the device
 * should do; the facts are also in {@code arguments}. Blocks on store reads (the responder's worker thread).
 */
public final class FleetDataAnswerer implements Answerer {
    public static final String NO_MODEL = "the fleet has no model to answer this yet; configure the mini/full tiers";

    enum Topic { STATUS, MODEL, SUMMARY }

    private final FleetStore store;
    private final Function<String, Optional<String>> anomalyModel;
    private final LongSupplier clock;

    /** @param anomalyModel the anomaly model a device last reported ({@code DeviceHealthLog::currentModel}) */
    public FleetDataAnswerer(FleetStore store, Function<String, Optional<String>> anomalyModel, LongSupplier clock) {
        this.store = store;
        this.anomalyModel = anomalyModel;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Answer> answer(DeviceQuery query) {
        try {
            return CompletableFuture.completedFuture(answerNow(query));
        } catch (SQLException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    Answer answerNow(DeviceQuery q) throws SQLException {
        Set<Topic> asked = topics(q.text());
        Answer.Builder a = Answer.newBuilder().setDeviceId(q.deviceId()).setQueryId(q.queryId()).setSource("fleet");
        if (asked.isEmpty()) {
            return a.setOk(false).setError(NO_MODEL).build();
        }
        String id = q.deviceId();
        List<String> sentences = new ArrayList<>();
        if (asked.contains(Topic.STATUS)) {
            Optional<DeviceRow> row = store.device(id);
            if (row.isEmpty()) {
                sentences.add("The fleet has no record of " + id + " yet.");
            } else {
                DeviceRow d = row.get();
                String status = d.online() ? "online" : "offline";
                long ago = Math.max(0, clock.getAsLong() - d.lastSeenMs()) / 1000;
                sentences.add(id + " is " + status + ", last seen " + ago + " s ago"
                        + (d.agentVersion() == null || d.agentVersion().isEmpty() ? "" : " (agent " + d.agentVersion()
                        + (d.hardwareId() == null || d.hardwareId().isEmpty() ? "" : " on " + d.hardwareId()) + ")") + ".");
                a.putArguments("status", status).putArguments("last_seen_ms", Long.toString(d.lastSeenMs()));
            }
        }
        if (asked.contains(Topic.MODEL)) {
            Optional<String> model = anomalyModel.apply(id);
            if (model.isPresent()) {
                sentences.add(id + " runs the anomaly model " + model.get() + " (as it last reported).");
                a.putArguments("anomaly_model", model.get());
            } else {
                sentences.add("The fleet has not heard which anomaly model " + id + " runs.");
            }
        }
        if (asked.contains(Topic.SUMMARY)) {
            List<SummaryRow> rows = store.summaries(id, Codecs.MAX_CHANNELS);
            if (rows.isEmpty()) {
                sentences.add("The fleet has no telemetry summary from " + id + " yet.");
            } else {
                long seq = rows.get(0).sequence();
                SummaryRow first = rows.get(0);
                StringBuilder s = new StringBuilder("Latest summary (" + Instant.ofEpochMilli(first.windowStartMs()) + " to "
                        + Instant.ofEpochMilli(first.windowEndMs()) + "):");
                String sep = " ";
                for (SummaryRow r : rows) {
                    if (r.sequence() != seq) {
                        break;
                    }
                    s.append(sep).append(r.channel()).append(" mean ").append(num(r.mean())).append(" (min ").append(num(r.min()))
                            .append(", max ").append(num(r.max())).append(", last ").append(num(r.last())).append(", ")
                            .append(r.count()).append(" samples)");
                    sep = "; ";
                }
                sentences.add(s.append('.').toString());
                a.putArguments("summary_sequence", Long.toString(seq))
                        .putArguments("summary_window_end_ms", Long.toString(first.windowEndMs()));
            }
        }
        return a.setOk(true).setText(String.join(" ", sentences)).build();
    }

    /** Which of the known topics the text names, by whole words in any case. */
    static Set<Topic> topics(String text) {
        Set<Topic> out = EnumSet.noneOf(Topic.class);
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            switch (w) {
                case "status" -> out.add(Topic.STATUS);
                case "model", "models" -> out.add(Topic.MODEL);
                case "summary", "summaries" -> out.add(Topic.SUMMARY);
                default -> { }
            }
        }
        return out;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
