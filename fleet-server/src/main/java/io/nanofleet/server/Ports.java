package io.nanofleet.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Port checks done before starting a listener, so a conflict gives a clear message, not a stack trace. */
public final class Ports {
    private Ports() {}

    public static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port the OS says is free right now (there is a small window before it is used). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new StartupException("cannot find a free TCP port: " + e.getMessage(), e);
        }
    }

    /** Throws a {@link StartupException} naming the flag when {@code port} is taken. */
    public static void requireFree(String what, String host, int port, String flag) {
        if (port != 0 && !isFree(host, port)) {
            throw new StartupException(what + " port " + port + " on " + host + " is already in use. "
                    + "Stop whatever listens there, or choose another port with " + flag + " (0 picks a free one).");
        }
    }
}
