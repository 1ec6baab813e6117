package io.nanofleet.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay in front of a broker that the test can hold shut: while closed, connections are accepted and
 * dropped at once (what a device sees while its broker is down). Lets a test bring the server's side back
 * before the device reconnects, without relying on the broker to persist sessions across a restart
 * (Mosquitto 2.0.11 here does not restore them).
 */
public final class TcpGate implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private volatile boolean open = true;
    private final java.util.Set<Socket> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public TcpGate(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "tcp-gate");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Closing also cuts the connections in progress, as a network outage would: the device loses its broker
     * while the test's own subscriber, connected directly, still receives whatever the broker accepted.
     */
    public void open(boolean open) {
        this.open = open;
        if (!open) {
            for (Socket s : live) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            live.clear();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                if (!open) {
                    in.close();
                    continue;
                }
                Socket out;
                try {
                    out = new Socket(InetAddress.getLoopbackAddress(), target);
                } catch (IOException e) {
                    in.close();
                    continue;
                }
                live.add(in);
                live.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream is = from.getInputStream(); OutputStream os = to.getOutputStream()) {
                int n;
                while ((n = is.read(buf)) >= 0) {
                    os.write(buf, 0, n);
                    os.flush();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "tcp-gate-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
