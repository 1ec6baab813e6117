package io.nanofleet.ota;

import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.Staging;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.TargetKind;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Child JVM for {@link PowerLossIT}: installs one model into the slot store the way the device does
 * (stage into the inactive slot, verify, fsync, switch, confirm) and is SIGKILLed at a random moment.
 * Args: slotsDir payloadFile name releaseCounter sha256.
 */
public final class PowerLossChild {
    private PowerLossChild() {
    }

    public static void main(String[] args) throws Exception {
        Path slots = Path.of(args[0]);
        Path payload = Path.of(args[1]);
        long length = Files.size(payload);
        TargetFile t = new TargetFile(args[2], length, Map.of("sha256", args[4]),
                TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), Long.parseLong(args[3])));
        SlotStore store = new SlotStore(slots);
        System.out.println("READY");
        System.out.flush();
        try (Staging st = store.stage(t); InputStream in = Files.newInputStream(payload)) {
            in.skipNBytes(st.offset());
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                st.write(ByteBuffer.wrap(buf, 0, n));
            }
            st.commit(0);
        }
        store.confirm();
        System.out.println("DONE");
    }
}
