package io.nanofleet.agent.telemetry;

import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.queue.Outbox;
import io.nanofleet.agent.queue.OutboxWriter;
import io.nanofleet.agent.sensor.SensorSource;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The way of a sample: read from the sensor on the sampling timer, into the summary window, the running
 * detector (whose anomalies become events), the sample listener and, while asked for, a raw message; the
 * window goes out as a summary on the telemetry timer. Everything leaves through the {@link OutboxWriter}.
 */
public final class TelemetryLoop implements AutoCloseable {
    /** Sees every sample after the pipeline (on the sampling thread: keep it short). */
    public interface SampleListener {
        void sample(long timestampMs, double[] values);
    }

    private final SensorSource sensor;
    private final OutboxWriter out;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final SummaryWindow window;
    private final double[] sample;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong sensorErrors = new AtomicLong();
    private volatile EdgePipeline pipeline;
    private volatile SampleListener sampleListener;
    private volatile long rawUntilMs;
    private volatile long alarmsMutedUntilMs;
    private final AtomicLong mutedAnomalies = new AtomicLong();
    private final AnomalyLog anomalyLog = new AnomalyLog();
    private long sampleIntervalMs;
    private long telemetryIntervalMs;
    private ScheduledFuture<?> samplingTask;
    private ScheduledFuture<?> telemetryTask;
    private boolean stopped;

    /** @param pipeline the detector, or null when it is off; its anomalies are published from here on */
    public TelemetryLoop(SensorSource sensor, EdgePipeline pipeline, OutboxWriter out, ScheduledExecutorService scheduler,
                         LongSupplier clock, long sampleIntervalMs, long telemetryIntervalMs) {
        this.sensor = sensor;
        this.out = out;
        this.scheduler = scheduler;
        this.clock = clock;
        this.sampleIntervalMs = sampleIntervalMs;
        this.telemetryIntervalMs = telemetryIntervalMs;
        this.window = new SummaryWindow(sensor.channels());
        this.sample = new double[sensor.channels().size()];
        if (pipeline != null) {
            promote(pipeline);
        }
    }

    /** Starts both timers: the first sample at once, the first summary after one telemetry interval. */
    public synchronized void start() {
        samplingTask = scheduler.scheduleAtFixedRate(this::sampleOnce, 0, sampleIntervalMs, TimeUnit.MILLISECONDS);
        telemetryTask = scheduler.scheduleAtFixedRate(this::publishSummary, telemetryIntervalMs, telemetryIntervalMs,
                TimeUnit.MILLISECONDS);
    }

    /** Stops both timers for good; the window keeps what it has (see {@link #publishSummary}). */
    public synchronized void stop() {
        stopped = true;
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {samplingTask, telemetryTask}) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    public synchronized void sampleIntervalMs(long ms) {
        this.sampleIntervalMs = ms;
        if (samplingTask != null && !stopped) {
            samplingTask.cancel(false);
            samplingTask = scheduler.scheduleAtFixedRate(this::sampleOnce, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    public synchronized void telemetryIntervalMs(long ms) {
        this.telemetryIntervalMs = ms;
        if (telemetryTask != null && !stopped) {
            telemetryTask.cancel(false);
            telemetryTask = scheduler.scheduleAtFixedRate(this::publishSummary, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    void sampleOnce() {
        try {
            sensor.read(sample);
        } catch (IOException | RuntimeException e) {
            sensorErrors.incrementAndGet();
            return;
        }
        long now = clock.getAsLong();
        samples.incrementAndGet();
        synchronized (window) {
            window.add(now, sample);
        }
        EdgePipeline p = pipeline;
        if (p != null) {
            synchronized (p) {
                p.accept(now, sample);
            }
        }
        SampleListener l = sampleListener;
        if (l != null) {
            l.sample(now, sample);
        }
        if (now < rawUntilMs) {
            publishRaw(now);
        }
    }

    private void publishRaw(long now) {
        TelemetryBatch.Builder b = TelemetryBatch.newBuilder().setDeviceId(out.deviceId()).setWindowStartMs(now).setWindowEndMs(now);
        for (int c = 0; c < sample.length; c++) {
            double v = sample[c];
            b.addChannels(ChannelSummary.newBuilder().setChannel(sensor.channels().get(c)).setCount(1)
                    .setMin(v).setMax(v).setMean(v).setLast(v));
        }
        out.telemetry(Outbox.Kind.RAW, seq -> b.setSequence(seq).build());
    }

    /** Queues the window as one summary, unless it is empty (the telemetry timer, and the last one at close). */
    public void publishSummary() {
        synchronized (window) {
            if (window.count() == 0) {
                return;
            }
            out.telemetry(Outbox.Kind.SUMMARY, seq -> window.drain(out.deviceId(), seq));
        }
    }

    private void onAnomaly(AnomalyEvent a) {
        long now = clock.getAsLong();
        boolean muted = now < alarmsMutedUntilMs;
        anomalyLog.add(now, a, muted);
        if (muted) {
            mutedAnomalies.incrementAndGet();
            return;
        }
        out.event(Event.newBuilder().setAnomaly(a));
    }

    /**
     * Until {@code untilMs} (0: from now on no longer) anomalies are noted in the {@link #anomalyLog()} and counted
     * but not sent: the operator working on the machine asked for quiet.
     */
    public void muteAlarmsUntil(long untilMs) {
        this.alarmsMutedUntilMs = untilMs;
    }

    public long alarmsMutedUntilMs() {
        return alarmsMutedUntilMs;
    }

    /** Anomalies not sent because alarms were muted. */
    public long mutedAnomalies() {
        return mutedAnomalies.get();
    }

    /** The last anomalies of the running detector (muted ones too). */
    public AnomalyLog anomalyLog() {
        return anomalyLog;
    }

    /** Raw samples go out one by one until {@code untilMs} (0: stop now). */
    public void streamRawUntil(long untilMs) {
        this.rawUntilMs = untilMs;
    }

    public List<String> channels() {
        return sensor.channels();
    }

    /** Reads the sensor once outside the loop (self-test); throws what the sensor throws. */
    public void probe() throws IOException {
        sensor.read(new double[sensor.channels().size()]);
    }

    /** The running detector pipeline (null when the detector is off). */
    public EdgePipeline detector() {
        return pipeline;
    }

    /** Makes {@code next} the running pipeline; its events are published from now on. */
    public void promote(EdgePipeline next) {
        next.events(this::onAnomaly);
        this.pipeline = next;
    }

    public void onSample(SampleListener listener) {
        this.sampleListener = listener;
    }

    public long samples() {
        return samples.get();
    }

    public long sensorErrors() {
        return sensorErrors.get();
    }

    @Override
    public void close() {
        sensor.close();
    }
}
