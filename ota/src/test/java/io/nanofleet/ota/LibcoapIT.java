package io.nanofleet.ota;

import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.install.InstallException;
import io.nanofleet.ota.install.InstalledModel;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.testing.Fleet;
import io.nanofleet.ota.transfer.CoapTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CoAP Block2 download from a CoAP server that is not ours: libcoap's coap-server (Debian libcoap3-bin). */
class LibcoapIT {
    @TempDir
    Path tmp;

    static String tool(String name) {
        for (String variant : new String[] {name + "-notls", name + "-openssl", name + "-gnutls", name}) {
            for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, variant))) {
                    return Path.of(dir, variant).toString();
                }
            }
        }
        throw new IllegalStateException(name + " not found on PATH: install libcoap3-bin (apt-get install libcoap3-bin)");
    }

    @Test
    void downloadsAndVerifiesFromLibcoapServer() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder(tool("coap-server"), "-A", "127.0.0.1", "-p", Integer.toString(port), "-d", "5")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("server.log").toFile()).start();
        awaitServer(port);
        try (Fleet f = new Fleet(tmp.resolve("fleet"))) {
            byte[] good = new byte[100_000];
            new Random(5).nextBytes(good);
            byte[] evil = good.clone();
            evil[77_777] ^= 1;
            put(port, "fw", good);
            put(port, "evil", evil);
            f.installBaseline(new byte[] {1, 2, 3}, 1);
            TargetFile t = f.publish("models/anomaly-v2.nfm", good, List.of(Fleet.HW), 2);
            UpdateAgent agent = new UpdateAgent(f.updater(), new AssignmentVerifier(Fleet.DEVICE, Fleet.HW),
                    List.of(new CoapTransport(1024, Duration.ofSeconds(5))), f.slots(), f.clock, (s, r) -> { });
            InstallException e = assertThrows(InstallException.class,
                    () -> agent.apply(f.assign(t, Fleet.HW, 2), URI.create("coap://127.0.0.1:" + port + "/evil")));
            assertEquals(UpdateResult.INTEGRITY_CHECK_FAILURE, e.result(), e.getMessage());
            InstalledModel m = agent.apply(f.assign(t, Fleet.HW, 2), URI.create("coap://127.0.0.1:" + port + "/fw"));
            assertArrayEquals(good, Files.readAllBytes(m.payload()));
        } finally {
            server.destroy();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        }
    }

    private static void awaitServer(int port) throws Exception {
        for (int i = 0; i < 20; i++) {
            Process p = new ProcessBuilder(tool("coap-client"), "-B", "1", "-m", "get",
                    "coap://127.0.0.1:" + port + "/.well-known/core").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, TimeUnit.SECONDS);
            if (p.exitValue() == 0 && !out.isBlank()) {
                return;
            }
        }
        throw new IllegalStateException("coap-server did not answer on port " + port);
    }

    private void put(int port, String name, byte[] data) throws Exception {
        Path f = tmp.resolve(name + ".bin");
        Files.write(f, data);
        Process p = new ProcessBuilder(tool("coap-client"), "-B", "10", "-m", "put", "-b", "1024", "-f", f.toString(),
                "coap://127.0.0.1:" + port + "/" + name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "coap-client put failed: " + out);
    }
}
