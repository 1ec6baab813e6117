package io.nanofleet.server.metrics;

import io.nanofleet.server.ask.AskCounters;
import io.nanofleet.server.ask.ResponseTopics;
import io.nanofleet.server.ingest.IngestCounters;
import io.nanofleet.server.store.BatchWriter;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Prometheus metrics. Label values come from small fixed sets (sources and reasons, never device ids),
 * so the number of series stays bounded however large the fleet grows; unexpected reasons are folded
 * into "other" rather than minting new series.
 */
public final class FleetMetrics {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** Every reason label any source may use. */
    static final Set<String> REASONS = Set.of(
            // device messages (IngestCounters.Reject, lower-cased)
            "empty", "oversized", "truncated", "malformed", "wrong_type", "missing_version", "invalid_field", "bad_topic",
            "device_mismatch", "unknown_device", "revoked_device",
            // operator API
            "missing_token", "invalid_token", "forbidden",
            // enrollment
            "bad_request", "bad_csr", "unknown_token", "expired_token", "token_used",
            // broker connections
            "no_certificate", "unknown_certificate", "revoked_certificate", "client_id_mismatch", "bad_credentials",
            "bad_client_id", "will_not_allowed", "enrolled_on_plain");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter rejected;
    private final Counter aclDenied;
    private final Counter takeovers;

    public FleetMetrics() {
        aclDenied = Counter.builder().name("nanofleet_acl_denied_total")
                .help("Device publishes and subscriptions the broker's per-device ACL denied, by activity")
                .labelNames("activity").register(registry);
        takeovers = Counter.builder().name("nanofleet_session_takeovers_total")
                .help("Connections that took over the live session of a connected client with the same id, by listener")
                .labelNames("listener").register(registry);
        rejected = Counter.builder().name("nanofleet_rejected_total")
                .help("Requests and messages refused, by source (api, enroll, broker) and reason")
                .labelNames("source", "reason").register(registry);
    }

    /** Counts a refusal; unknown reasons are counted as "other" so labels stay bounded. */
    public void rejected(String source, String reason) {
        String r = REASONS.contains(reason) ? reason : "other";
        rejected.labelValues(source, r).inc();
    }

    /** activity: publish or subscribe. */
    public void aclDenied(String activity) {
        aclDenied.labelValues("subscribe".equals(activity) ? "subscribe" : "publish").inc();
    }

    /** listener: tls or plain. */
    public void sessionTakeover(String listener) {
        takeovers.labelValues("tls".equals(listener) ? "tls" : "plain").inc();
    }

    public long rejectedCount(String source, String reason) {
        return (long) rejected.labelValues(source, reason).get();
    }

    /** Device traffic: ingest counters, writer throughput and queue, connected devices. */
    public void bindFleet(IngestCounters ingest, BatchWriter writer, LongSupplier connectedDevices) {
        CounterWithCallback.builder().name("nanofleet_mqtt_messages_accepted_total")
                .help("Device messages the ingest step accepted (state, telemetry and events for storage, queries for the responder)")
                .callback(cb -> cb.call(ingest.acceptedCount())).register(registry);
        CounterWithCallback.builder().name("nanofleet_mqtt_messages_rejected_total")
                .help("Device messages rejected, by reason (nothing of them is stored)").labelNames("reason")
                .callback(cb -> {
                    for (IngestCounters.Reject r : IngestCounters.Reject.values()) {
                        cb.call(ingest.rejectedCount(r), r.name().toLowerCase(Locale.ROOT));
                    }
                }).register(registry);
        CounterWithCallback.builder().name("nanofleet_store_written_total")
                .help("Device messages committed to the database").callback(cb -> cb.call(writer.writtenCount())).register(registry);
        CounterWithCallback.builder().name("nanofleet_store_failed_total")
                .help("Device messages dropped after repeated database failures").callback(cb -> cb.call(writer.failedCount()))
                .register(registry);
        GaugeWithCallback.builder().name("nanofleet_store_queue_depth")
                .help("Device messages waiting for the batch writer").callback(cb -> cb.call(writer.queueDepth())).register(registry);
        GaugeWithCallback.builder().name("nanofleet_devices_connected")
                .help("Devices whose last state is online").callback(cb -> cb.call(connectedDevices.getAsLong())).register(registry);
    }

    /** The ask hand-over: queries received, answers sent by outcome, refused response topics by reason. */
    public void bindAsk(AskCounters ask) {
        CounterWithCallback.builder().name("nanofleet_ask_queries_total")
                .help("Device queries (ask channel) that reached the responder").callback(cb -> cb.call(ask.receivedCount()))
                .register(registry);
        CounterWithCallback.builder().name("nanofleet_ask_answers_total")
                .help("Answers sent to devices, by their ok field (ok=false: the fleet could not answer, with an error)")
                .labelNames("ok").callback(cb -> {
                    cb.call(ask.answeredCount(true), "true");
                    cb.call(ask.answeredCount(false), "false");
                }).register(registry);
        CounterWithCallback.builder().name("nanofleet_ask_refused_total")
                .help("Queries left unanswered because their response topic was refused (outside the device's subtree, "
                        + "one of its wire channels, or invalid), by reason").labelNames("reason").callback(cb -> {
                    for (ResponseTopics.Refusal r : ResponseTopics.Refusal.values()) {
                        cb.call(ask.refusedCount(r), r.name().toLowerCase(Locale.ROOT));
                    }
                }).register(registry);
        CounterWithCallback.builder().name("nanofleet_ask_undelivered_total")
                .help("Answers the broker could not take (the device hears nothing and may ask again)")
                .callback(cb -> cb.call(ask.undeliveredCount())).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
