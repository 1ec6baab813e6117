package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Start-up failures say which flag to change; the CLI follows the usual exit-code conventions. */
class ServerStartupTest {
    @TempDir
    Path dir;

    @Test
    void httpPortInUseNamesTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ServerConfig c = ServerConfig.builder().mqttsPort(0).coapPort(0).httpHost("127.0.0.1").httpPort(taken.getLocalPort())
                    .mqttHost("127.0.0.1").mqttPort(0).dataDir(dir).build();
            StartupException e = assertThrows(StartupException.class, () -> new FleetServer(c).start());
            assertTrue(e.getMessage().contains("--http-port"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
        }
    }

    @Test
    void mqttPortInUseNamesTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ServerConfig c = ServerConfig.builder().mqttsPort(0).coapPort(0).httpHost("127.0.0.1").httpPort(0)
                    .mqttHost("127.0.0.1").mqttPort(taken.getLocalPort()).dataDir(dir).build();
            StartupException e = assertThrows(StartupException.class, () -> new FleetServer(c).start());
            assertTrue(e.getMessage().contains("--mqtt-port"), e.getMessage());
        }
    }

    @Test
    void mqttsPortInUseNamesTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ServerConfig c = ServerConfig.builder().mqttsPort(taken.getLocalPort()).coapPort(0).httpHost("127.0.0.1").httpPort(0)
                    .mqttHost("127.0.0.1").mqttPort(0).dataDir(dir).build();
            StartupException e = assertThrows(StartupException.class, () -> new FleetServer(c).start());
            assertTrue(e.getMessage().contains("--mqtts-port"), e.getMessage());
        }
    }

    @Test
    void wrongCaPasswordSaysWhichFlagToUse() throws Exception {
        java.nio.file.Path caDir = dir.resolve("ca");
        io.nanofleet.server.identity.DeviceCa.openOrCreate(caDir, "right".toCharArray());
        java.nio.file.Path wrong = java.nio.file.Files.writeString(dir.resolve("pw"), "wrong");
        StartupException e = assertThrows(StartupException.class,
                () -> io.nanofleet.server.identity.DeviceCa.openOrCreate(caDir, io.nanofleet.server.identity.CaPassword.resolve(wrong, dir)));
        assertTrue(e.getMessage().contains("--ca-password-file"), e.getMessage());
        assertTrue(java.nio.file.Files.readString(caDir.resolve("ca-key.pem")).contains("ENCRYPTED PRIVATE KEY"),
                "the CA key is stored encrypted");
        assertEquals("right", String.valueOf(io.nanofleet.server.identity.CaPassword.resolve(
                java.nio.file.Files.writeString(dir.resolve("pw2"), "right\n"), dir)));
    }

    @Test
    void brokerUriForms() {
        assertEquals("tcp://10.0.0.5:1884", io.nanofleet.server.broker.BrokerUri.toPaho("mqtt://10.0.0.5:1884"));
        assertEquals("tcp://broker:1883", io.nanofleet.server.broker.BrokerUri.toPaho("mqtt://broker"));
        assertEquals("ssl://broker:8883", io.nanofleet.server.broker.BrokerUri.toPaho("mqtts://broker"));
        assertEquals("ssl://10.0.0.5:9883", io.nanofleet.server.broker.BrokerUri.toPaho("mqtts://10.0.0.5:9883"));
        StartupException e = assertThrows(StartupException.class, () -> io.nanofleet.server.broker.BrokerUri.toPaho("http://broker:80"));
        assertTrue(e.getMessage().contains("mqtt://") && e.getMessage().contains("mqtts://"), e.getMessage());
        assertThrows(StartupException.class, () -> io.nanofleet.server.broker.BrokerUri.toPaho("not a uri"));
    }

    @Test
    void unreachableExternalBrokerFailsWithAdvice() {
        int closed = Ports.freePort();
        ServerConfig c = ServerConfig.builder().mqttsPort(0).coapPort(0).httpHost("127.0.0.1").httpPort(0)
                .externalBroker("mqtt://127.0.0.1:" + closed).dataDir(dir).build();
        StartupException e = assertThrows(StartupException.class, () -> new FleetServer(c).start());
        assertTrue(e.getMessage().contains("--broker"), e.getMessage());
    }

    @Test
    void badPortValueIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.builder().httpPort(70000).build());
        assertTrue(e.getMessage().contains("--http-port"), e.getMessage());
    }

    @Test
    void everyListenerBindsLoopbackUnlessAHostIsGiven() {
        ServerMain.Serve serve = new ServerMain.Serve();
        new CommandLine(serve).parseArgs();
        assertEquals("127.0.0.1", serve.httpHost);
        assertEquals("127.0.0.1", serve.mqttHost);
        ServerConfig defaults = ServerConfig.builder().build();
        assertEquals("127.0.0.1", defaults.httpHost());
        assertEquals("127.0.0.1", defaults.mqttHost());
        new CommandLine(serve).parseArgs("--http-host", "0.0.0.0", "--mqtt-host", "0.0.0.0");
        assertEquals("0.0.0.0", serve.httpHost);
        assertEquals("0.0.0.0", serve.mqttHost);
    }

    @Test
    void cliConventions() {
        assertEquals(0, run("--help").code);
        assertEquals(0, run("serve", "--help").code);
        Result wrong = run("serve", "--no-such-flag");
        assertEquals(2, wrong.code);
        assertTrue(wrong.err.contains("--no-such-flag"), wrong.err);
        Result badPort = run("serve", "--http-port", "99999", "--data-dir", dir.toString());
        assertEquals(2, badPort.code);
        assertTrue(badPort.err.contains("--http-port"), badPort.err);
    }

    @Test
    void brokerCertWritesMosquittoFiles() throws Exception {
        assertEquals(2, run("broker-cert", "--data-dir", dir.toString()).code, "missing --host/--out is a usage error");
        java.nio.file.Path pw = java.nio.file.Files.writeString(dir.resolve("pw"), "secret");
        java.nio.file.Path out = dir.resolve("mosq");
        Result ok = run("broker-cert", "--data-dir", dir.toString(), "--ca-password-file", pw.toString(),
                "--host", "mqtt.example,10.0.0.5", "--out", out.toString());
        assertEquals(0, ok.code, ok.err);
        var cert = io.nanofleet.server.identity.Pem.certificate(java.nio.file.Files.readString(out.resolve("broker-cert.pem")));
        var ca = io.nanofleet.server.identity.Pem.certificate(java.nio.file.Files.readString(out.resolve("ca-cert.pem")));
        cert.verify(ca.getPublicKey());
        assertTrue(cert.getSubjectAlternativeNames().toString().contains("mqtt.example"), cert.getSubjectAlternativeNames().toString());
        assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                java.nio.file.Files.getPosixFilePermissions(out.resolve("broker-key.pem")));
        Result wrongPw = run("broker-cert", "--data-dir", dir.toString(), "--ca-password-file",
                java.nio.file.Files.writeString(dir.resolve("bad"), "nope").toString(), "--host", "h", "--out", out.toString());
        assertEquals(1, wrongPw.code);
        assertTrue(wrongPw.err.contains("--ca-password-file"), wrongPw.err);
    }

    record Result(int code, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        CommandLine cl = new CommandLine(new ServerMain());
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setOut(new java.io.PrintWriter(new ByteArrayOutputStream(), true));
        try {
            System.setErr(new PrintStream(err, true));
            return new Result(cl.execute(args), err.toString());
        } finally {
            System.setErr(old);
        }
    }
}
