package io.nanofleet.agent.sensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's frames on the wire, against a small Modbus TCP server written here from the specification (MBAP
 * header: transaction id, protocol 0, length, unit id; then the PDU), not j2mod's own: write single coil (function 5,
 * 0xFF00 on / 0x0000 off) and write single register (function 6), their echoed answers, an exception answer, and a
 * server that is not there.
 */
class ModbusWriterTest {
    /** Answers each request with its echo, or with exception 2 (illegal data address) for address 99. */
    static final class Server implements AutoCloseable {
        final ServerSocket socket;
        final List<byte[]> requests = new CopyOnWriteArrayList<>();

        Server() throws IOException {
            socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::run, "modbus-test-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void run() {
            while (!socket.isClosed()) {
                try (Socket c = socket.accept()) {
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    OutputStream out = c.getOutputStream();
                    while (true) {
                        byte[] mbap = new byte[7];
                        try {
                            in.readFully(mbap);
                        } catch (IOException e) {
                            break;
                        }
                        int length = ((mbap[4] & 0xff) << 8) | (mbap[5] & 0xff);
                        byte[] pdu = new byte[length - 1];
                        in.readFully(pdu);
                        byte[] frame = new byte[7 + pdu.length];
                        System.arraycopy(mbap, 0, frame, 0, 7);
                        System.arraycopy(pdu, 0, frame, 7, pdu.length);
                        requests.add(frame);
                        int address = ((pdu[1] & 0xff) << 8) | (pdu[2] & 0xff);
                        if (address == 99) {
                            out.write(new byte[] {mbap[0], mbap[1], 0, 0, 0, 3, mbap[6], (byte) (pdu[0] | 0x80), 2});
                        } else {
                            out.write(frame); // a write's normal answer is its echo
                        }
                        out.flush();
                    }
                } catch (IOException e) {
                    // next connection
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private Server server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static String pdu(byte[] frame) {
        return HexFormat.of().formatHex(frame, 6, frame.length);
    }

    @Test
    void writeSingleCoilAndRegisterFrames() throws Exception {
        server = new Server();
        try (ModbusConnection m = new ModbusConnection("127.0.0.1", server.port(), 7, 2000)) {
            m.writeCoil(17, false);
            m.writeCoil(17, true);
            m.writeRegister(40, 50);
            m.writeRegister(65535, 65535);
        }
        assertEquals(4, server.requests.size());
        for (byte[] f : server.requests) {
            assertEquals(0, f[2] | f[3], "protocol id 0");
            assertEquals(6, ((f[4] & 0xff) << 8) | (f[5] & 0xff), "length: unit id + 5 PDU bytes");
            assertEquals(12, f.length);
        }
        // unit 7 | function | address | value
        assertEquals("07" + "05" + "0011" + "0000", pdu(server.requests.get(0)));
        assertEquals("07" + "05" + "0011" + "ff00", pdu(server.requests.get(1)));
        assertEquals("07" + "06" + "0028" + "0032", pdu(server.requests.get(2)));
        assertEquals("07" + "06" + "ffff" + "ffff", pdu(server.requests.get(3)));
    }

    @Test
    void anExceptionAnswerIsAFailureNamingServerUnitAndAddress() throws Exception {
        server = new Server();
        try (ModbusConnection m = new ModbusConnection("127.0.0.1", server.port(), 1, 2000)) {
            IOException e = assertThrows(IOException.class, () -> m.writeCoil(99, true));
            assertTrue(e.getMessage().startsWith("Modbus 127.0.0.1:" + server.port() + " unit 1: write of coil 99 failed: "),
                    e.getMessage());
            m.writeCoil(5, true); // the connection is opened again for the next write
        }
        assertArrayEquals(new byte[] {1, 5, 0, 5, (byte) 0xff, 0},
                java.util.Arrays.copyOfRange(server.requests.get(server.requests.size() - 1), 6, 12));
        assertThrows(IllegalArgumentException.class, () -> new ModbusConnection("127.0.0.1", 1, 1, 100).writeRegister(1, 70_000));
    }

    @Test
    void aServerThatIsNotThere() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (ModbusConnection m = new ModbusConnection("127.0.0.1", port, 1, 500)) {
            IOException e = assertThrows(IOException.class, () -> m.writeRegister(3, 1));
            assertTrue(e.getMessage().startsWith("Modbus 127.0.0.1:" + port + " unit 1: write of register 3 failed"), e.getMessage());
        }
    }
}
