package io.nanofleet.sim.bench;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nanofleet-bench ingest}: N connected agents publish summaries at a fixed total rate into the
 * fleet server (its own JVM, embedded broker, SQLite), then the same load through the Mosquitto on
 * this machine to a plain subscriber as the ceiling. Prints stored rate, loss, p50/p99 latency,
 * server heap and RSS, and the server/ceiling ratio, one line per run, as Markdown table rows.
 */
@Command(name = "nanofleet-bench", mixinStandardHelpOptions = true, version = "nanofleet-bench 0.1.0",
        description = "Ingest benchmark: N agents -> fleet server (SQLite) vs the same load -> Mosquitto -> subscriber.")
public final class IngestBench implements Callable<Integer> {
    @Option(names = "--devices", split = ",", defaultValue = "1000,5000", description = "Connected agents per run (default: ${DEFAULT-VALUE}).")
    List<Integer> devices;

    @Option(names = "--rate", defaultValue = "10000", description = "Summaries per second offered by the whole fleet (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--warmup", defaultValue = "10", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--duration", defaultValue = "30", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--heap", defaultValue = "1g", description = "Server -Xmx (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--mosquitto", defaultValue = "127.0.0.1:1883", description = "Ceiling broker host:port, or 'none' (default: ${DEFAULT-VALUE}).")
    String mosquitto;

    @Option(names = "--server-arg", description = "Extra argument for the server's 'serve' command, repeatable "
            + "(e.g. --server-arg=--ingest-connections=1).")
    java.util.List<String> serverArgs = new java.util.ArrayList<>();

    @Option(names = "--work-dir", description = "Where server data goes (default: a new temporary directory).")
    Path workDir;

    record Result(String target, int devices, double offered, double delivered, long loss, long unacked, long deferred,
                  long p50, long p99, long heapMiB, long heapAfterGcMiB, long rssMiB, long peakRssMiB) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("nanofleet-bench");
        System.out.println("| target | agents | offered/s | stored or received/s | lost | unacked | deferred | p50 ms | p99 ms "
                + "| server heap MiB (after GC) | server RSS MiB (peak) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (int n : devices) {
            Result server = runServer(dir.resolve("server-" + n), n);
            print(server);
            if (!"none".equals(mosquitto)) {
                Result ceiling = runCeiling(n);
                print(ceiling);
                System.out.printf(Locale.ROOT, "ratio server/ceiling at %d agents: %.2f%n", n, server.delivered() / ceiling.delivered());
            }
        }
        return 0;
    }

    private static void print(Result r) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %d | %d | %d | %d | %d | %s | %s |%n", r.target(), r.devices(),
                r.offered(), r.delivered(), r.loss(), r.unacked(), r.deferred(), r.p50(), r.p99(),
                r.heapMiB() < 0 ? "-" : r.heapMiB() + " (" + r.heapAfterGcMiB() + ")",
                r.rssMiB() < 0 ? "-" : r.rssMiB() + " (" + r.peakRssMiB() + ")");
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Result runServer(Path data, int n) throws Exception {
        Files.createDirectories(data);
        int http = freePort();
        int mqtt = freePort();
        try (ServerProcess server = new ServerProcess(data, heap, http, mqtt, freePort(), freePort(), serverArgs)) {
            server.awaitHealthy(180_000);
            try (StoredWatcher watcher = new StoredWatcher(data.resolve("nanofleet.db"));
                 LoadClients clients = new LoadClients(true)) {
                clients.connect("127.0.0.1", mqtt, "bs" + n + "-", n, 1000, rate / n);
                awaitConnected(clients, n);
                Phase p = measure(clients, () -> {
                    try {
                        watcher.poll();
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                    return watcher.rows();
                }, watcher::measuring);
                long heapNow = server.heapUsedMiB(false);
                long[] rss = server.rssMiB();
                // Drain: everything the broker acknowledged must end up stored.
                long deadline = System.currentTimeMillis() + 60_000;
                while (watcher.rows() < clients.acked.get() && System.currentTimeMillis() < deadline) {
                    watcher.poll();
                    Thread.sleep(50);
                }
                long heapGc = server.heapUsedMiB(true);
                Latencies l = watcher.latencies();
                if (clients.rejectedByBroker.get() > 0) {
                    System.out.println("broker refused " + clients.rejectedByBroker.get() + " publishes (PUBACK reason >= 0x80)");
                }
                return new Result("fleet server (SQLite)", n, p.offered, p.delivered, clients.acked.get() - watcher.rows(),
                        clients.published.get() - clients.acked.get(), clients.deferred.get(), l.percentile(50),
                        l.percentile(99), heapNow, heapGc, rss[0], rss[1]);
            }
        }
    }

    private Result runCeiling(int n) throws Exception {
        String[] hp = mosquitto.split(":");
        String prefix = "bc" + n + "-" + System.nanoTime() % 100000 + "-";
        try (CeilingSubscriber sub = new CeilingSubscriber("tcp://" + mosquitto, prefix);
             LoadClients clients = new LoadClients(false)) {
            clients.connect(hp[0], Integer.parseInt(hp[1]), prefix, n, 1000, rate / n);
            awaitConnected(clients, n);
            Phase p = measure(clients, sub.received::get, sub::measuring);
            long deadline = System.currentTimeMillis() + 30_000;
            while (sub.received.get() < clients.acked.get() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Latencies l = sub.latencies();
            return new Result("Mosquitto -> subscriber", n, p.offered, p.delivered, clients.acked.get() - sub.received.get(),
                    clients.published.get() - clients.acked.get(), clients.deferred.get(), l.percentile(50),
                    l.percentile(99), -1, -1, -1, -1);
        }
    }

    private static void awaitConnected(LoadClients clients, int n) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (clients.connected.get() + clients.refused.get() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        if (clients.connected.get() < n) {
            throw new IllegalStateException("only " + clients.connected.get() + " of " + n + " agents connected ("
                    + clients.refused.get() + " refused)");
        }
    }

    record Phase(double offered, double delivered) {}

    /** Warm-up, then the measured window; {@code delivered} counts rows stored (or messages received). */
    private Phase measure(LoadClients clients, LongSupplier delivered, java.util.function.Consumer<Boolean> measuring)
            throws InterruptedException {
        clients.startPublishing();
        pollFor(warmup * 1000L, delivered);
        long t0 = System.nanoTime();
        long pub0 = clients.published.get();
        long del0 = delivered.getAsLong();
        measuring.accept(true);
        pollFor(duration * 1000L, delivered);
        long del1 = delivered.getAsLong();
        long pub1 = clients.published.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        measuring.accept(false);
        clients.stopPublishing();
        return new Phase((pub1 - pub0) / secs, (del1 - del0) / secs);
    }

    private static void pollFor(long ms, LongSupplier delivered) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            delivered.getAsLong();
            Thread.sleep(20);
        }
    }
}
