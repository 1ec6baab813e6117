package io.nanofleet.ota;

import com.fasterxml.jackson.core.JsonFactory;
import io.nanofleet.ota.install.InstalledModel;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.metadata.Hashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Power loss during install: each run starts a fresh child JVM that installs the other of two models and
 * SIGKILLs it (Process.destroyForcibly on Linux) at a random instant. After every kill the store must open
 * to a model whose bytes verify and are exactly the old or the new one.
 */
class PowerLossIT {
    static final int RUNS = Integer.getInteger("nanofleet.powerLossRuns", 120);

    @TempDir
    Path tmp;

    @Test
    void killedInstallAlwaysLeavesAVerifiedModel() throws Exception {
        Random rnd = new Random(Long.getLong("nanofleet.powerLossSeed", System.nanoTime()));
        byte[][] models = new byte[2][];
        Path[] files = new Path[2];
        String[] sha = new String[2];
        for (int i = 0; i < 2; i++) {
            models[i] = new byte[3 * 1024 * 1024];
            new Random(i).nextBytes(models[i]);
            files[i] = tmp.resolve("model" + i + ".bin");
            Files.write(files[i], models[i]);
            sha[i] = Hashes.sha256Hex(models[i]);
        }
        Path slots = tmp.resolve("slots");
        // Baseline: model 0 installed to completion; also calibrates how long an install takes.
        long t0 = System.nanoTime();
        Process p = child(slots, files[0], 0, sha[0]);
        awaitReady(p);
        long ready = System.nanoTime();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        long installNanos = System.nanoTime() - ready;
        long startNanos = ready - t0;
        assertEquals(sha[0], new SlotStore(slots).active().orElseThrow().sha256());

        int old = 0;
        int updated = 0;
        int partialSeen = 0;
        for (int run = 0; run < RUNS; run++) {
            SlotStore before = new SlotStore(slots);
            if (before.inTrial()) {
                before.confirm(); // health window passed; lets the next run stage
            }
            int cur = sha[0].equals(before.active().orElseThrow().sha256()) ? 0 : 1;
            int next = 1 - cur;
            Process c = child(slots, files[next], run + 1, sha[next]);
            awaitReady(c);
            long delay = (long) (rnd.nextDouble() * installNanos * 1.2);
            TimeUnit.NANOSECONDS.sleep(delay);
            c.destroyForcibly();
            assertTrue(c.waitFor(30, TimeUnit.SECONDS));

            SlotStore after = new SlotStore(slots);
            InstalledModel m = after.active().orElseThrow(() -> new AssertionError("no model after kill"));
            byte[] onDisk = Files.readAllBytes(m.payload());
            if (m.sha256().equals(sha[cur])) {
                assertArrayEquals(models[cur], onDisk);
                old++;
            } else {
                assertEquals(sha[next], m.sha256(), "run " + run + ": neither old nor new model");
                assertArrayEquals(models[next], onDisk);
                updated++;
            }
            String inactive = m.slot().equals("a") ? "b" : "a";
            if (Files.exists(slots.resolve(inactive).resolve("payload.part"))) {
                partialSeen++;
            }
        }
        System.out.printf("power-loss: %d runs, child start %d ms, install %d ms; old model %d, new model %d, "
                        + "killed mid-write %d%n", RUNS, startNanos / 1_000_000, installNanos / 1_000_000, old, updated, partialSeen);
        assertEquals(RUNS, old + updated);
        assertTrue(old > 0 && updated > 0, "kills landed both before and after the switch: old=" + old + " new=" + updated);
        assertTrue(partialSeen > 0, "some kills landed mid-write");
    }

    private static void awaitReady(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertEquals("READY", line, "child did not start");
    }

    private Process child(Path slots, Path payload, long release, String sha) throws Exception {
        // A small explicit classpath (module classes, test classes, jackson-core) keeps child start-up short.
        List<String> cp = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {SlotStore.class, PowerLossChild.class, JsonFactory.class}) {
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", String.join(File.pathSeparator, cp), PowerLossChild.class.getName(),
                slots.toString(), payload.toString(), "models/m" + release + ".nfm", Long.toString(release), sha);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
