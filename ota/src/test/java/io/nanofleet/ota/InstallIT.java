package io.nanofleet.ota;

import io.nanofleet.ota.install.InstallException;
import io.nanofleet.ota.install.InstalledModel;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.Staging;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.testing.Fleet;
import io.nanofleet.ota.testing.FullDisk;
import io.nanofleet.ota.transfer.CoapTransport;
import io.nanofleet.ota.transfer.HttpTransport;
import io.nanofleet.ota.director.AssignmentVerifier;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The install path end to end: A/B switch, confirm, rollback, resume, CoAP Block2, and bad input. */
class InstallIT {
    @TempDir
    Path tmp;
    Fleet f;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fleet(tmp);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void installTrialConfirmThenRollbackOfNextUpdate() throws Exception {
        byte[] v1 = random(200_000, 1);
        InstalledModel m1 = f.installBaseline(v1, 1);
        assertEquals(List.of("DOWNLOADING/INITIAL", "DOWNLOADED/INITIAL", "UPDATING/INITIAL", "IDLE/SUCCESS"), f.events);
        SlotStore s = f.slots();
        assertEquals(1, s.releaseFloor());
        byte[] v2 = random(150_000, 2);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", v2, List.of(Fleet.HW), 2);
        InstalledModel m2 = f.agent(s).apply(f.assign(t2, Fleet.HW, 2));
        assertTrue(m2.trial());
        assertFalse(m1.slot().equals(m2.slot()));
        // The device restarts inside the health window: the trial model is still what opens...
        SlotStore afterReboot = f.slots();
        assertArrayEquals(v2, Files.readAllBytes(afterReboot.active().orElseThrow().payload()));
        assertTrue(afterReboot.inTrial());
        // ...and the caller decides it is unhealthy.
        afterReboot.rollback();
        InstalledModel back = f.slots().active().orElseThrow();
        assertEquals(m1.slot(), back.slot());
        assertArrayEquals(v1, Files.readAllBytes(back.payload()));
        assertEquals(1, f.slots().releaseFloor(), "rolled-back release does not raise the floor");
    }

    private List<String> targetRequests() {
        return f.server.served().stream().filter(p -> p.startsWith("targets/")).toList();
    }

    @Test
    void aTrialWithoutAPreviousModelRollsBackToNoModelAndTheNextUpdateInstalls() throws Exception {
        SlotStore s = f.slots();
        TargetFile t1 = f.publish("models/anomaly-v1.nfm", random(1000, 1), List.of(Fleet.HW), 1);
        assertTrue(f.agent(s).apply(f.assign(t1, Fleet.HW, 1)).trial());
        s.rollback(); // the device's first model failed its health window: nothing to go back to
        assertFalse(s.inTrial());
        assertTrue(s.active().isEmpty());
        assertTrue(f.slots().active().isEmpty(), "and so after a restart");
        byte[] v2 = random(1200, 2);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", v2, List.of(Fleet.HW), 2);
        InstalledModel m2 = f.agent(s).apply(f.assign(t2, Fleet.HW, 2));
        assertArrayEquals(v2, Files.readAllBytes(m2.payload()));
        s.confirm();
        assertEquals(2, s.releaseFloor());
    }

    @Test
    void aVerifiedTargetInASlotIsNotDownloadedAgainAndACorruptedOneIs() throws Exception {
        byte[] v1 = random(100_000, 1);
        SlotStore s = f.slots();
        TargetFile t1 = f.publish("models/anomaly-v1.nfm", v1, List.of(Fleet.HW), 1);
        f.agent(s).apply(f.assign(t1, Fleet.HW, 1));
        s.confirm();
        byte[] v2 = random(120_000, 2);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", v2, List.of(Fleet.HW), 2);
        // The same model as the active one: used as it is.
        f.server.reset();
        InstalledModel same = f.agent(s).apply(f.assign(t1, Fleet.HW, 1));
        assertFalse(same.trial());
        assertArrayEquals(v1, Files.readAllBytes(same.payload()));
        assertEquals(List.of(), targetRequests());
        // v2 installed, rolled back, then assigned again (what the fleet does after a failed canary): the
        // rolled-back copy in the inactive slot is re-hashed and used.
        f.agent(s).apply(f.assign(t2, Fleet.HW, 2));
        s.rollback();
        f.server.reset();
        InstalledModel again = f.agent(s).apply(f.assign(t2, Fleet.HW, 2));
        assertTrue(again.trial());
        assertArrayEquals(v2, Files.readAllBytes(again.payload()));
        assertEquals(List.of(), targetRequests());
        // One flipped byte in that copy (same name, same length): downloaded again.
        s.rollback();
        Path copy = tmp.resolve("device/slots").resolve(again.slot()).resolve("payload");
        byte[] bad = v2.clone();
        bad[7] ^= 1;
        Files.write(copy, bad);
        f.server.reset();
        InstalledModel fetched = f.agent(s).apply(f.assign(t2, Fleet.HW, 2));
        assertArrayEquals(v2, Files.readAllBytes(fetched.payload()));
        assertEquals(1, targetRequests().size(), f.server.served().toString());
    }

    @Test
    void aCompleteStagedDownloadIsUsedAndACorruptedOneIsFetchedAgain() throws Exception {
        f.installBaseline(random(1000, 1), 1);
        byte[] v2 = random(50_000, 2);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", v2, List.of(Fleet.HW), 2);
        SlotStore s = f.slots();
        // Every byte staged, then the device stopped before the switch.
        assertArrayEquals(v2, Files.readAllBytes(installStaged(s, t2, v2, 2).payload()));
        assertEquals(List.of(), targetRequests());
        s.rollback();
        // Same length, wrong bytes: refetched, and the install still succeeds.
        byte[] v3 = random(50_000, 3);
        TargetFile t3 = f.publish("models/anomaly-v3.nfm", v3, List.of(Fleet.HW), 3);
        assertArrayEquals(v3, Files.readAllBytes(installStaged(s, t3, random(50_000, 4), 3).payload()));
        assertEquals(1, targetRequests().size(), f.server.served().toString());
    }

    /** Stages {@code bytes} for {@code t} as an interrupted download would have left them, then applies t's assignment. */
    private InstalledModel installStaged(SlotStore s, TargetFile t, byte[] bytes, long release) throws Exception {
        try (Staging st = s.stage(t)) {
            st.write(java.nio.ByteBuffer.wrap(bytes));
        }
        f.server.reset();
        return f.agent(s).apply(f.assign(t, Fleet.HW, release));
    }

    @Test
    void aTargetOfAnotherKindIsRefusedBeforeAnyByteIsStaged() throws Exception {
        byte[] v1 = random(1000, 1);
        f.installBaseline(v1, 1);
        SlotStore s = f.slots();
        TargetFile agentBuild = f.publish("agents/nanofleet-agent-0.3.deb", TargetKind.AGENT, random(5000, 5), List.of(Fleet.HW), 2);
        f.server.reset();
        InstallException e = assertThrows(InstallException.class, () -> f.agent(s, java.util.EnumSet.of(TargetKind.ANOMALY_MODEL))
                .apply(f.assign(agentBuild, Fleet.HW, 2)));
        assertEquals(UpdateResult.UNSUPPORTED_PACKAGE_TYPE, e.result());
        assertTrue(e.getMessage().contains("agent target"), e.getMessage());
        assertEquals(List.of(), targetRequests());
        assertFalse(s.inTrial());
        assertArrayEquals(v1, Files.readAllBytes(s.active().orElseThrow().payload()));
    }

    @Test
    void stalledDownloadTimesOutThenResumesWithRange() throws Exception {
        f.installBaseline(random(1000, 9), 1);
        byte[] v2 = random(300_000, 3);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", v2, List.of(Fleet.HW), 2);
        String path = "targets/models/" + t2.hashes().get("sha256") + ".anomaly-v2.nfm";
        f.server.behave(path, ex -> {
            ex.sendResponseHeaders(200, v2.length);
            OutputStream out = ex.getResponseBody();
            out.write(v2, 0, 100_000);
            out.flush();
            try {
                Thread.sleep(8000); // stall mid-body, connection open
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        SlotStore s = f.slots();
        long t0 = System.nanoTime();
        InstallException e = assertThrows(InstallException.class, () -> f.agent(s).apply(f.assign(t2, Fleet.HW, 2)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(UpdateResult.CONNECTION_LOST, e.result());
        assertInstanceOf(TufException.TimeoutException.class, e.getCause());
        assertTrue(ms < 7000, "gave up after the 1.5 s read timeout, not the 8 s stall: " + ms + " ms");
        f.server.reset();
        InstalledModel m = f.agent(f.slots()).apply(f.assign(t2, Fleet.HW, 2));
        assertArrayEquals(v2, Files.readAllBytes(m.payload()));
        assertTrue(f.server.ranges().stream().anyMatch(r -> r.endsWith("bytes=100000-")), f.server.ranges().toString());
    }

    @Test
    void stalledMetadataServerTimesOut() throws Exception {
        InstalledModel m1 = f.installBaseline(random(1000, 12), 1);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", random(1000, 13), List.of(Fleet.HW), 2);
        byte[] ts = Files.readAllBytes(f.repo.metadataDir().resolve("timestamp.json"));
        f.server.behave("metadata/timestamp.json", ex -> {
            ex.sendResponseHeaders(200, ts.length);
            ex.getResponseBody().write(ts, 0, 10);
            ex.getResponseBody().flush();
            try {
                Thread.sleep(8000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long t0 = System.nanoTime();
        InstallException e = assertThrows(InstallException.class, () -> f.agent(f.slots()).apply(f.assign(t2, Fleet.HW, 2)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(UpdateResult.CONNECTION_LOST, e.result());
        assertInstanceOf(TufException.TimeoutException.class, e.getCause());
        assertTrue(ms < 7000, "metadata read timeout is 2 s, the stall 8 s: " + ms + " ms");
        assertEquals(m1.sha256(), f.slots().active().orElseThrow().sha256());
    }

    @Test
    void fullDiskLeavesNothingHalfWrittenAndOldModelIntact() throws Exception {
        byte[] v1 = random(50_000, 4);
        InstalledModel m1 = f.installBaseline(v1, 1);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", random(400_000, 5), List.of(Fleet.HW), 2);
        for (long free : new long[] {0, 1, 65_536, 399_999, 400_100}) {
            SlotStore s = f.slots(new FullDisk(free));
            InstallException e = assertThrows(InstallException.class, () -> f.agent(s).apply(f.assign(t2, Fleet.HW, 2)),
                    "free=" + free);
            assertEquals(UpdateResult.NOT_ENOUGH_FLASH, e.result(), e.getMessage());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            SlotStore reopened = f.slots();
            assertEquals(m1.sha256(), reopened.active().orElseThrow().sha256());
            assertArrayEquals(v1, Files.readAllBytes(reopened.active().orElseThrow().payload()));
            String inactive = m1.slot().equals("a") ? "b" : "a";
            try (var files = Files.list(tmp.resolve("device/slots/" + inactive))) {
                List<String> left = files.map(p -> p.getFileName().toString()).toList();
                assertFalse(left.contains("payload.part") || left.contains("payload") || left.contains("slot.json"),
                        "half-written files left: " + left);
            }
            try (var files = Files.list(tmp.resolve("device/slots"))) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
            }
        }
    }

    @Test
    void truncatedMetadataIsAClearFormatErrorAndStateStays() throws Exception {
        InstalledModel m1 = f.installBaseline(random(1000, 6), 1);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", random(1000, 7), List.of(Fleet.HW), 2);
        byte[] ts = Files.readAllBytes(f.repo.metadataDir().resolve("timestamp.json"));
        byte[] trustedBefore = Files.readAllBytes(tmp.resolve("device/metadata/timestamp.json"));
        f.server.override("metadata/timestamp.json", java.util.Arrays.copyOf(ts, ts.length / 2));
        InstallException e = assertThrows(InstallException.class, () -> f.agent(f.slots()).apply(f.assign(t2, Fleet.HW, 2)));
        assertInstanceOf(TufException.FormatException.class, e.getCause());
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        assertArrayEquals(trustedBefore, Files.readAllBytes(tmp.resolve("device/metadata/timestamp.json")));
        assertEquals(m1.sha256(), f.slots().active().orElseThrow().sha256());
    }

    @Test
    void truncatedTargetIsRefused() throws Exception {
        InstalledModel m1 = f.installBaseline(random(1000, 6), 1);
        byte[] v2 = random(5000, 8);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", v2, List.of(Fleet.HW), 2);
        f.server.override("targets/models/" + t2.hashes().get("sha256") + ".anomaly-v2.nfm", java.util.Arrays.copyOf(v2, 4000));
        InstallException e = assertThrows(InstallException.class, () -> f.agent(f.slots()).apply(f.assign(t2, Fleet.HW, 2)));
        assertEquals(UpdateResult.INTEGRITY_CHECK_FAILURE, e.result());
        assertTrue(e.getMessage().contains("got 4000 of 5000 bytes"), e.getMessage());
        assertEquals(m1.sha256(), f.slots().active().orElseThrow().sha256());
    }

    @Test
    void htmlInsteadOfMetadataIsRejectedByContentType() throws Exception {
        f.installBaseline(random(1000, 6), 1);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", random(1000, 7), List.of(Fleet.HW), 2);
        f.server.behave("metadata/timestamp.json", ex -> {
            byte[] page = "<html><body>Welcome to the hotel Wi-Fi</body></html>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        InstallException e = assertThrows(InstallException.class, () -> f.agent(f.slots()).apply(f.assign(t2, Fleet.HW, 2)));
        assertEquals(UpdateResult.CONNECTION_LOST, e.result());
        assertTrue(e.getMessage().contains("unexpected Content-Type text/html"), e.getMessage());
    }

    @Test
    void unsupportedProtocolAndInvalidUri() throws Exception {
        f.installBaseline(random(1000, 6), 1);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", random(1000, 7), List.of(Fleet.HW), 2);
        InstallException e = assertThrows(InstallException.class,
                () -> f.agent(f.slots()).apply(f.assign(t2, Fleet.HW, 2), URI.create("ftp://127.0.0.1/x")));
        assertEquals(UpdateResult.UNSUPPORTED_PROTOCOL, e.result());
        InstallException e2 = assertThrows(InstallException.class,
                () -> f.agent(f.slots()).apply(f.assign(t2, Fleet.HW, 2), URI.create("no-scheme")));
        assertEquals(UpdateResult.INVALID_URI, e2.result());
    }

    @Test
    void coapBlock2TransportInstallsAndResumes() throws Exception {
        CoapConfig.register();
        UdpConfig.register();
        byte[] v1 = random(1000, 10);
        f.installBaseline(v1, 1);
        byte[] v2 = random(120_000, 11);
        TargetFile t2 = f.publish("models/anomaly-v2.nfm", v2, List.of(Fleet.HW), 2);
        Configuration cfg = Configuration.createStandardWithoutFile();
        CoapServer server = new CoapServer(cfg);
        List<Integer> blocks = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger dropped = new AtomicInteger();
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(cfg)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
        endpoint.addInterceptor(new MessageInterceptorAdapter() {
            @Override
            public void receiveRequest(Request request) {
                blocks.add(request.getOptions().getBlock2().getNum());
            }

            @Override
            public void sendResponse(Response response) {
                BlockOption b = response.getOptions().getBlock2();
                // The link dies once, right when block 39 is on its way.
                if (b != null && b.getNum() == 39 && dropped.getAndIncrement() == 0) {
                    response.setCanceled(true);
                }
            }
        });
        server.addEndpoint(endpoint);
        server.add(new CoapResource("fw") {
            @Override
            public void handleGET(CoapExchange exchange) {
                exchange.respond(CoAP.ResponseCode.CONTENT, v2);
            }
        });
        server.start();
        try {
            int port = endpoint.getAddress().getPort();
            URI uri = URI.create("coap://127.0.0.1:" + port + "/fw");
            UpdateAgent agent = new UpdateAgent(f.updater(), new AssignmentVerifier(Fleet.DEVICE, Fleet.HW),
                    List.of(new HttpTransport(Duration.ofSeconds(2), Duration.ofSeconds(2)), new CoapTransport(1024, Duration.ofMillis(1000))),
                    f.slots(), f.clock, (s, r) -> { });
            InstallException e = assertThrows(InstallException.class, () -> agent.apply(f.assign(t2, Fleet.HW, 2), uri));
            assertEquals(UpdateResult.CONNECTION_LOST, e.result(), e.getMessage());
            assertInstanceOf(TufException.TimeoutException.class, e.getCause());
            int firstPhase = blocks.size();
            assertEquals(39, blocks.get(firstPhase - 1), "lost at server block 39 (512-byte blocks): " + blocks);
            UpdateAgent again = new UpdateAgent(f.updater(), new AssignmentVerifier(Fleet.DEVICE, Fleet.HW),
                    List.of(new CoapTransport(1024, Duration.ofSeconds(5))), f.slots(), f.clock, (s, r) -> { });
            InstalledModel m = again.apply(f.assign(t2, Fleet.HW, 2), uri);
            assertArrayEquals(v2, Files.readAllBytes(m.payload()));
            List<Integer> resumed = blocks.subList(firstPhase, blocks.size());
            // Resume asks for byte 39*512 in 1024-byte units (block 19); the server answers in 512s from there.
            assertEquals(19, resumed.get(0), resumed.toString());
            assertEquals(39, resumed.get(1), resumed.toString());
            assertEquals((v2.length + 511) / 512 - 39 + 1, resumed.size(), "no block fetched twice except the lost one");
        } finally {
            server.destroy();
        }
    }
}
