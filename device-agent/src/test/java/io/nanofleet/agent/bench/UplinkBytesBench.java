package io.nanofleet.agent.bench;

import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.sensor.CsvReplaySensor;
import io.nanofleet.agent.telemetry.SummaryWindow;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Uplink bytes per device-hour: the agent's edge pipeline (a summary every 10 s + anomaly events with their raw
 * window) against streaming every raw sample (what the agent's raw mode sends), on every SKAB valve1 file
 * replayed at its native 1 Hz. Counts whole MQTT 5 PUBLISH packets (fixed header, topic, packet id, property
 * length, payload). Also checks that every labelled anomaly window produced an event (trigger inside the window
 * or within one event context after it). Not a test: run with bench/uplink.sh.
 */
public final class UplinkBytesBench {
    private static final String DEVICE = "valve-1";
    private static int summaryRows = 10;
    private static final int CONTEXT = 32;

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../../shared/data/skab-dev/valve1");
        summaryRows = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Path> files;
        try (Stream<Path> s = Files.list(data)) {
            files = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        long rows = 0;
        long edgeBytes = 0;
        long rawBytes = 0;
        long events = 0;
        int windows = 0;
        int detected = 0;
        long seq = 0;
        for (Path f : files) {
            CsvReplaySensor sensor = new CsvReplaySensor(f, false);
            List<String> ch = sensor.channels();
            List<long[]> labelled = new ArrayList<>();
            List<Long> triggers = new ArrayList<>();
            List<AnomalyEvent> fileEvents = new ArrayList<>();
            EdgePipeline[] holder = new EdgePipeline[1];
            holder[0] = new EdgePipeline(ch, DetectorConfig.DEFAULT, CONTEXT, e -> {
                fileEvents.add(e);
                triggers.add(holder[0].lastTrigger());
            });
            SummaryWindow window = new SummaryWindow(ch);
            double[] x = new double[ch.size()];
            long i = 0;
            long start = -1;
            while (true) {
                try {
                    sensor.read(x);
                } catch (EOFException eof) {
                    break;
                }
                long ts = i * 1000;
                holder[0].accept(ts, x);
                window.add(ts, x);
                if (window.count() == summaryRows) {
                    edgeBytes += publish(Topics.telemetry(DEVICE), Codecs.TELEMETRY.encode(window.drain(DEVICE, ++seq)).length);
                }
                rawBytes += publish(Topics.telemetry(DEVICE), Codecs.TELEMETRY.encode(raw(ch, x, ts, ++seq)).length);
                boolean label = sensor.lastRowLabelledAnomalous();
                if (label && start < 0) {
                    start = i;
                } else if (!label && start >= 0) {
                    labelled.add(new long[] {start, i});
                    start = -1;
                }
                i++;
            }
            if (start >= 0) {
                labelled.add(new long[] {start, i});
            }
            if (window.count() > 0) {
                edgeBytes += publish(Topics.telemetry(DEVICE), Codecs.TELEMETRY.encode(window.drain(DEVICE, ++seq)).length);
            }
            for (AnomalyEvent a : fileEvents) {
                Event e = Event.newBuilder().setDeviceId(DEVICE).setEventId(DEVICE + "-" + UUID.randomUUID()).setSequence(++seq)
                        .setTimestampMs(a.getWindowStartMs()).setAnomaly(a).build();
                edgeBytes += publish(Topics.events(DEVICE), Codecs.EVENT.encode(e).length);
            }
            int found = 0;
            for (long[] w : labelled) {
                if (triggers.stream().anyMatch(t -> t >= w[0] && t < w[1] + CONTEXT)) {
                    found++;
                }
            }
            System.out.printf("%-8s rows=%d labelled_windows=%d with_event=%d events=%d triggers=%s labelled=%s%n", f.getFileName(), i,
                    labelled.size(), found, fileEvents.size(), triggers,
                    labelled.stream().map(w -> "[" + w[0] + "," + w[1] + ")").toList());
            rows += i;
            events += fileEvents.size();
            windows += labelled.size();
            detected += found;
            sensor.close();
        }
        double hours = rows / 3600.0;
        System.out.printf("overall summary_every_s=%d files=%d device_hours=%.2f edge_bytes_per_hour=%.0f raw_bytes_per_hour=%.0f ratio=%.1f "
                        + "events=%d labelled_windows=%d windows_with_event=%d%n", summaryRows, files.size(), hours, edgeBytes / hours,
                rawBytes / hours, (double) rawBytes / edgeBytes, events, windows, detected);
    }

    private static TelemetryBatch raw(List<String> ch, double[] x, long ts, long seq) {
        TelemetryBatch.Builder b = TelemetryBatch.newBuilder().setDeviceId(DEVICE).setSequence(seq).setWindowStartMs(ts).setWindowEndMs(ts);
        for (int c = 0; c < x.length; c++) {
            b.addChannels(ChannelSummary.newBuilder().setChannel(ch.get(c)).setCount(1).setMin(x[c]).setMax(x[c]).setMean(x[c]).setLast(x[c]));
        }
        return b.build();
    }

    /** Size of an MQTT 5 QoS 1 PUBLISH without properties. */
    static long publish(String topic, int payload) {
        int remaining = 2 + topic.getBytes(StandardCharsets.UTF_8).length + 2 + 1 + payload;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : 3;
        return 1 + lengthBytes + remaining;
    }
}
