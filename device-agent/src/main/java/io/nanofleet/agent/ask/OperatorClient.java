package io.nanofleet.agent.ask;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;

/** The {@code nanofleet-agent ask} side of the {@link OperatorSocket}: one request line, one answer line. */
public final class OperatorClient {
    /** Longest answer line read (answers from the fleet may be long: the Answer limit). */
    static final int MAX_ANSWER_BYTES = 128 * 1024;

    private OperatorClient() {}

    /** No agent listens on the socket (missing file, or nobody accepting). */
    public static final class NotListeningException extends IOException {
        NotListeningException(Path socket) {
            super("no agent is listening on " + socket + "; start it with 'nanofleet-agent run'");
        }
    }

    /** Whether an agent accepts connections on {@code socket}. */
    static boolean listening(Path socket) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends one request and returns the agent's answer line.
     *
     * @throws NotListeningException when no agent is running there
     * @throws IOException           with what went wrong otherwise (permissions, a cut connection)
     */
    public static String exchange(Path socket, String requestLine, long deadlineMs) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        Thread watchdog = io.nanofleet.protocols.DaemonThreads.start("ask-deadline", () -> {
            try {
                Thread.sleep(deadlineMs);
                c.close();
            } catch (InterruptedException | IOException e) {
                // answered in time
            }
        });
        try (c) {
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
                if (m.contains("permission denied") || m.contains("access denied")) {
                    throw new AccessDeniedException(socket.toString(), null, "permission denied: the socket is the agent "
                            + "user's only; run as that user (e.g. sudo -u nanofleet nanofleet-agent ask ...)");
                }
                throw new NotListeningException(socket);
            }
            ByteBuffer out = ByteBuffer.wrap((requestLine + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (true) {
                in.clear();
                int n = c.read(in);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    byte b = in.get(i);
                    if (b == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    line.write(b);
                }
                if (line.size() > MAX_ANSWER_BYTES) {
                    throw new IOException("the agent's answer is longer than " + MAX_ANSWER_BYTES + " bytes");
                }
            }
            if (line.size() == 0) {
                throw new IOException("the agent closed the connection without an answer");
            }
            return line.toString(StandardCharsets.UTF_8);
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new IOException("the agent did not answer within " + deadlineMs + " ms");
        } finally {
            watchdog.interrupt();
        }
    }
}
