package io.nanofleet.agent.command;

import io.nanofleet.agent.telemetry.AnomalyLog;
import java.io.IOException;
import java.util.List;

/**
 * What the fleet's commands may see and change in a running agent. Calls come from the command thread,
 * concurrently with sampling and the uplink; every method is safe to call from there.
 */
public interface CommandTarget {
    /** The agent's clock, in epoch milliseconds. */
    long now();

    /** When this agent started, on the same clock. */
    long bootTimeMs();

    /** Streams raw samples until {@code untilMs} (0 stops at once). */
    void streamRawUntil(long untilMs);

    /** The longest raw streaming a command may ask for. */
    long maxRawMs();

    /** Samples from now on every {@code ms}; takes effect at once. */
    void sampleIntervalMs(long ms);

    /** Sends a summary every {@code ms}; takes effect at once. */
    void telemetryIntervalMs(long ms);

    /** Starts a fresh calibration on the next samples; false when no detector runs (off or disabled). */
    boolean recalibrate();

    /** Sets the detector's threshold factor and recalibrates; does nothing when the detector is off. */
    void thresholdFactor(double factor);

    /** Reads the sensor once and returns its channel count; throws what the sensor throws. */
    int probeSensor() throws IOException;

    boolean connected();

    /** Messages queued and not yet acknowledged; negative when the queue cannot be read. */
    long pendingMessages();

    /** The detector's phase in lower case, or "off". */
    String detectorPhase();

    /** Whether {@code restart} can be carried out (false for embedded agents). */
    boolean canRestart();

    /**
     * Restarts the agent in a moment (so the asker hears the answer first): the restart hook runs after a short
     * delay. Does nothing when {@link #canRestart()} is false.
     */
    void restartSoon();

    /** Until {@code untilMs} anomalies are noted and counted but not sent (0: alarms on again). */
    void muteAlarmsUntil(long untilMs);

    /** When muted alarms sound again (a time in the past: they are on). */
    long alarmsMutedUntilMs();

    /** Up to {@code max} of the detector's newest anomalies, newest first. */
    List<AnomalyLog.Entry> lastAnomalies(int max);
}
