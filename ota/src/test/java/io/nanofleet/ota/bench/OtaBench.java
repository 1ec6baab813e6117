package io.nanofleet.ota.bench;

import com.fasterxml.jackson.core.JsonFactory;
import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.TrustedMetadata;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.testing.Fleet;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Prints the figures and writes them to ota/BENCHMARKS.md. Not part of verify. Run:
 * {@code ./mvnw -q -B -pl ota -am test-compile && ./mvnw -q -B -pl ota exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.nanofleet.ota.bench.OtaBench}
 */
public final class OtaBench {
    private OtaBench() {
    }

    public static void main(String[] args) throws Exception {
        int warmup = 15;
        int runs = 41;
        Path tmp = Files.createTempDirectory("ota-bench");
        StringBuilder md = new StringBuilder();
        try (Fleet f = new Fleet(tmp)) {
            byte[] oneMb = new byte[1 << 20];
            new Random(1).nextBytes(oneMb);
            TargetFile t = f.publish("models/bench-1mb.nfm", oneMb, List.of(Fleet.HW), 1);
            byte[] rootBytes = f.repo.rootBytes();

            // 1. Full refresh from a fresh device (root, timestamp, snapshot, targets) + 1 MB target download & verify.
            long[] full = new long[runs];
            long[] refreshOnly = new long[runs];
            long[] verifyOnly = new long[runs];
            // One HTTP client for the device's lifetime, as the agent keeps it.
            HttpFetcher fetcher = new HttpFetcher(Duration.ofSeconds(5), Duration.ofSeconds(5));
            for (int i = -warmup; i < runs; i++) {
                Path meta = tmp.resolve("meta-" + i);
                Updater.initialize(meta, rootBytes, f.clock);
                Updater u = new Updater(new UpdaterConfig(meta, f.server.uri("metadata/"), f.server.uri("targets/")),
                        fetcher, f.clock);
                long a = System.nanoTime();
                u.refresh();
                TargetFile info = u.getTargetInfo(t.name());
                long b = System.nanoTime();
                u.downloadTarget(info);
                long c = System.nanoTime();
                if (i >= 0) {
                    full[i] = c - a;
                    refreshOnly[i] = b - a;
                    verifyOnly[i] = c - b;
                }
            }
            // 1b. The same checks in memory only (parse, canonicalize, verify signatures, hashes): CPU cost without I/O.
            Path m0 = f.repo.metadataDir();
            byte[] tsB = Files.readAllBytes(m0.resolve("timestamp.json"));
            byte[] snB = Files.readAllBytes(m0.resolve(f.repo.latestVersion("snapshot") + ".snapshot.json"));
            byte[] tgB = Files.readAllBytes(m0.resolve(f.repo.latestVersion("targets") + ".targets.json"));
            long[] cpuOnly = new long[runs];
            for (int i = -warmup; i < runs; i++) {
                long a = System.nanoTime();
                TrustedMetadata tm = new TrustedMetadata(rootBytes, f.clock.instant());
                tm.updateTimestamp(tsB);
                tm.updateSnapshot(snB, false);
                tm.updateTargets(tgB, "targets", "root", false);
                io.nanofleet.ota.metadata.Hashes.verify(oneMb, t.length(), t.hashes(), t.name());
                if (i >= 0) {
                    cpuOnly[i] = System.nanoTime() - a;
                }
            }
            // 2. Metadata bytes per update: a device that is current fetches what one new release costs.
            Path meta = tmp.resolve("meta-current");
            Updater.initialize(meta, rootBytes, f.clock);
            Updater current = new Updater(new UpdaterConfig(meta, f.server.uri("metadata/"), f.server.uri("targets/")),
                    new HttpFetcher(), f.clock);
            f.server.reset();
            current.refresh();
            long firstContact = f.server.metadataBytes();
            f.publish("models/bench-next.nfm", "next".getBytes(StandardCharsets.UTF_8), List.of(Fleet.HW), 2);
            f.server.reset();
            current.refresh();
            current.getTargetInfo("models/bench-next.nfm");
            long perUpdate = f.server.metadataBytes();
            List<String> perUpdateFiles = new ArrayList<>(f.server.served());
            f.server.reset();
            current.refresh();
            long noChange = f.server.metadataBytes();

            // 3. Peak heap while installing a 50 MB target: streaming vs buffering, each in a fresh JVM.
            byte[] big = new byte[50 << 20];
            new Random(2).nextBytes(big);
            TargetFile bigT = f.publish("models/bench-50mb.nfm", big, List.of(Fleet.HW), 3);
            big = null;
            String url = f.server.uri("targets/models/" + bigT.hashes().get("sha256") + ".bench-50mb.nfm").toString();
            String streamPeak = child(tmp, "stream", url, bigT, "-Xmx32m");
            String bufferPeak = child(tmp, "buffer", url, bigT, "-Xmx256m");
            String bufferAt32 = child(tmp, "buffer", url, bigT, "-Xmx32m");

            md.append("# ota benchmarks\n\n");
            md.append("Measured ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    .append(" on ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                    .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                    .append(", over HTTP on 127.0.0.1 (com.sun.net.httpserver). All figures from one run of:\n\n")
                    .append("```\ncd /work/main && ./mvnw -q -B -pl ota -am test-compile && ./mvnw -q -B -pl ota exec:java "
                            + "-Dexec.classpathScope=test -Dexec.mainClass=io.nanofleet.ota.bench.OtaBench\n```\n\n");
            Path loadavg = Path.of("/proc/loadavg");
            if (Files.isReadable(loadavg)) {
                md.append("Load average when the figures were taken (machine shared with other builds): ")
                        .append(Files.readString(loadavg).trim().split(" ", 4)[0]).append(" / ")
                        .append(Files.readString(loadavg).trim().split(" ", 4)[1]).append(" (1 / 5 min).\n\n");
            }
            md.append("Keys: root ed25519; targets 2-of-3 (ECDSA P-256 + ed25519); snapshot, timestamp ed25519. "
                    + warmup + " warm-up rounds, then medians of " + runs + ".\n\n");
            md.append("| figure | median | p10 / p90 |\n|---|---|---|\n");
            row(md, "fresh device: full refresh (root, timestamp, snapshot, targets) + download and verify 1 MB target", full);
            row(md, "  of which refresh of all top-level metadata (incl. fsync'd atomic writes of 3 files)", refreshOnly);
            row(md, "  of which download + length/sha256/sha512 check of the 1 MB target", verifyOnly);
            row(md, "same checks in memory only: verify root, timestamp, snapshot, targets + hash 1 MB (no I/O)", cpuOnly);
            md.append("\nA fresh-device refresh verifies 5 signatures (root self-signature, timestamp, snapshot: ed25519; "
                    + "targets: one ECDSA P-256 + one ed25519 for its 2-of-3 threshold) with the JDK's pure-Java providers, "
                    + "and writes 3 files with fsync; under load these dominate the figures above.\n");
            md.append("\n| metadata bytes | value |\n|---|---|\n");
            md.append("| first contact (root already on device): timestamp + snapshot + targets | ").append(firstContact).append(" B |\n");
            md.append("| per update (one new target published): ").append(String.join(", ", perUpdateFiles)).append(" | ")
                    .append(perUpdate).append(" B |\n");
            md.append("| refresh with nothing new (timestamp only) | ").append(noChange).append(" B |\n");
            md.append("| root metadata (shipped with the device) | ").append(rootBytes.length).append(" B |\n");
            md.append("\nPeak heap while installing a 50 MB target (fresh JVM each, -XX:+UseSerialGC, sum of heap pools' peak "
                    + "usage after a GC at start):\n\n| mode | -Xmx | result |\n|---|---|---|\n");
            md.append("| streaming into the slot (HttpTransport -> Staging, hashing as it writes) | 32m | ").append(streamPeak).append(" |\n");
            md.append("| buffering the whole body (HttpFetcher.fetch, for comparison) | 256m | ").append(bufferPeak).append(" |\n");
            md.append("| buffering the whole body | 32m | ").append(bufferAt32).append(" |\n");
        }
        System.out.print(md);
        Path out = args.length > 0 ? Path.of(args[0]) : moduleDir().resolve("BENCHMARKS.md");
        Files.writeString(out, md.toString());
        System.out.println("\nwrote " + out.toAbsolutePath());
    }

    private static void row(StringBuilder md, String name, long[] nanos) {
        long[] s = nanos.clone();
        java.util.Arrays.sort(s);
        md.append("| ").append(name).append(" | ").append(ms(s[s.length / 2])).append(" | ")
                .append(ms(s[s.length / 10])).append(" / ").append(ms(s[s.length * 9 / 10])).append(" |\n");
    }

    private static String ms(long nanos) {
        return String.format("%.2f ms", nanos / 1e6);
    }

    private static Path moduleDir() throws Exception {
        Path testClasses = Path.of(OtaBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return testClasses.getParent().getParent();
    }

    private static String child(Path tmp, String mode, String url, TargetFile t, String xmx) throws Exception {
        List<String> cp = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {SlotStore.class, OtaBench.class, JsonFactory.class}) {
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        Path slots = tmp.resolve("slots-" + mode + xmx);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), xmx, "-XX:+UseSerialGC",
                "-cp", String.join(File.pathSeparator, cp), HeapChild.class.getName(), mode, url, slots.toString(),
                t.name(), Long.toString(t.length()), t.hashes().get("sha256"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        String last = out.lines().max(Comparator.comparingInt(l -> l.startsWith("peak") ? 1 : 0)).orElse("");
        if (p.exitValue() != 0) {
            return "failed: " + out.lines().filter(l -> l.contains("OutOfMemoryError")).findFirst().orElse(last);
        }
        return last;
    }

}
