package io.nanofleet.ota.bench;

import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.Staging;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.transfer.HttpTransport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Child JVM of {@link OtaBench}: one 50 MB install, then prints peak heap. Args: mode url slots name length sha256. */
public final class HeapChild {
    private HeapChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        URI url = URI.create(args[1]);
        TargetFile t = new TargetFile(args[3], Long.parseLong(args[4]), Map.of("sha256", args[5]),
                TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), 3));
        SlotStore store = new SlotStore(Path.of(args[2]));
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        long t0 = System.nanoTime();
        if ("stream".equals(mode)) {
            try (Staging st = store.stage(t)) {
                new HttpTransport(Duration.ofSeconds(5), Duration.ofSeconds(10)).fetch(url, st.offset(), st::write);
                st.commit(0);
            }
        } else {
            byte[] all = new HttpFetcher(Duration.ofSeconds(5), Duration.ofSeconds(10)).fetch(url, t.length());
            Hashes.verify(all, t.length(), t.hashes(), t.name());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf("peak heap %.1f MB, %d ms%n", peak / 1048576.0, ms);
    }
}
