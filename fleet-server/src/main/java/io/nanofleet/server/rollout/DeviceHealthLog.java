package io.nanofleet.server.rollout;

import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.ingest.IngestListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Recent health signals per device, kept in memory for the rollout engine: anomaly-event arrival times,
 * reported inference latency and restart counts (DeviceState attributes {@code inference_us}, field
 * {@code restart_count}, falling back to attribute {@code restarts}), the last install report per
 * target, and the anomaly and command models the device runs. Times are the server's arrival times, so device clock
 * skew cannot move a sample across the before/after boundary. Bounded: samples older than the
 * retention are dropped, and at most {@link #MAX_SAMPLES} are kept per device and kind. Fed by the ingest
 * bus on every instance ({@code IngestBus.Scope.EVERY_INSTANCE}): the instance that drives rollouts must see
 * every device's signals, not only the share of them it stores.
 */
public final class DeviceHealthLog implements FleetSignals, IngestListener {
    static final int MAX_SAMPLES = 10_000;
    private final LongSupplier clock;
    private final long retentionMs;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();

    public DeviceHealthLog(LongSupplier clock, long retentionMs) {
        this.clock = clock;
        this.retentionMs = retentionMs;
    }

    private record Sample(long ms, double value) {}

    private record Install(InstallProgress progress, long ms) {}

    private static final class Device {
        final Deque<Sample> anomalies = new ArrayDeque<>();
        final Deque<Sample> latency = new ArrayDeque<>();
        final Deque<Sample> restarts = new ArrayDeque<>();
        final Map<String, Install> installs = new ConcurrentHashMap<>();
        volatile String model;
        volatile String commandModel;
    }

    private Device device(String id) {
        return devices.computeIfAbsent(id, k -> new Device());
    }

    @Override
    public void onMessage(DeviceMessage m) {
        if (m instanceof DeviceMessage.State s) {
            onState(s.state());
        } else if (m instanceof DeviceMessage.Events e) {
            onEvent(e.event());
        }
    }

    public void onState(DeviceState s) {
        long now = clock.getAsLong();
        Device d = device(s.getDeviceId());
        if (s.hasAnomalyModel() && !s.getAnomalyModel().getName().isEmpty()) {
            d.model = s.getAnomalyModel().getName();
        }
        if (s.hasCommandModel() && !s.getCommandModel().getName().isEmpty()) {
            d.commandModel = s.getCommandModel().getName();
        }
        synchronized (d) {
            String us = s.getAttributesMap().get("inference_us");
            if (us != null) {
                try {
                    add(d.latency, new Sample(now, Double.parseDouble(us)), now);
                } catch (NumberFormatException e) {
                    // a device reporting garbage latency gives no latency sample
                }
            }
            long restarts = s.getRestartCount();
            String attr = s.getAttributesMap().get("restarts");
            if (restarts == 0 && attr != null) {
                try {
                    restarts = Long.parseLong(attr);
                } catch (NumberFormatException e) {
                    // ignored: no restart sample
                }
            }
            add(d.restarts, new Sample(now, restarts), now);
        }
    }

    public void onEvent(Event e) {
        long now = clock.getAsLong();
        Device d = device(e.getDeviceId());
        if (e.hasAnomaly()) {
            synchronized (d) {
                add(d.anomalies, new Sample(now, 1), now);
            }
        } else if (e.hasInstallProgress()) {
            d.installs.put(e.getInstallProgress().getTargetName(), new Install(e.getInstallProgress(), now));
        }
    }

    private void add(Deque<Sample> q, Sample s, long now) {
        q.addLast(s);
        while (!q.isEmpty() && (q.size() > MAX_SAMPLES || q.peekFirst().ms() < now - retentionMs)) {
            q.removeFirst();
        }
    }

    @Override
    public InstallStatus install(String deviceId, String target, long sinceMs) {
        Device d = devices.get(deviceId);
        Install i = d == null ? null : d.installs.get(target);
        if (i == null || i.ms() < sinceMs) {
            return InstallStatus.PENDING;
        }
        InstallProgress p = i.progress();
        // LwM2M Object 5 Update Result: 1 = success; 2..9 = failures; 0 = in progress/initial.
        if (p.getResult() == 1) {
            return InstallStatus.SUCCEEDED;
        }
        return p.getResult() >= 2 ? InstallStatus.FAILED : InstallStatus.PENDING;
    }

    @Override
    public String installDetail(String deviceId, String target) {
        Device d = devices.get(deviceId);
        Install i = d == null ? null : d.installs.get(target);
        return i == null ? "no report" : "result " + i.progress().getResult() + " " + i.progress().getMessage();
    }

    @Override
    public Health health(String deviceId, long fromMs, long toMs) {
        Device d = devices.get(deviceId);
        if (d == null) {
            return Health.NONE;
        }
        synchronized (d) {
            long anomalies = 0;
            for (Sample s : d.anomalies) {
                if (s.ms() >= fromMs && s.ms() < toMs) {
                    anomalies++;
                }
            }
            double sum = 0;
            long n = 0;
            for (Sample s : d.latency) {
                if (s.ms() >= fromMs && s.ms() < toMs) {
                    sum += s.value();
                    n++;
                }
            }
            return new Health(anomalies, sum, n, restarts(d.restarts, fromMs, toMs));
        }
    }

    /** Rise of the device's restart counter over the window (a counter reset to 0 counts as a restart). */
    private static long restarts(Deque<Sample> q, long fromMs, long toMs) {
        Double prev = null;
        long rises = 0;
        for (Iterator<Sample> it = q.iterator(); it.hasNext(); ) {
            Sample s = it.next();
            if (s.ms() >= toMs) {
                break;
            }
            if (s.ms() >= fromMs && prev != null) {
                rises += s.value() >= prev ? (long) (s.value() - prev) : 1;
            }
            prev = s.value();
        }
        return rises;
    }

    @Override
    public Optional<String> currentModel(String deviceId) {
        Device d = devices.get(deviceId);
        return d == null ? Optional.empty() : Optional.ofNullable(d.model);
    }

    @Override
    public Optional<String> currentModel(String deviceId, String kind) {
        Device d = devices.get(deviceId);
        if (d == null) {
            return Optional.empty();
        }
        return switch (kind) {
            case "anomaly-model" -> Optional.ofNullable(d.model);
            case "command-model" -> Optional.ofNullable(d.commandModel);
            default -> Optional.empty();
        };
    }
}
