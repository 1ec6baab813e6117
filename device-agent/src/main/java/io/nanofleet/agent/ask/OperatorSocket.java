package io.nanofleet.agent.ask;

import io.nanofleet.protocols.DaemonThreads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent's local door for its operator: a Unix domain socket (never TCP), by default
 * {@code <state dir>/agent.sock}, in a directory only the agent's user may enter (0700) and itself 0600, so only
 * that user (and root) can ask. One line of JSON in ({@link AskJson}), at most {@link #MAX_REQUEST_BYTES}, read
 * within {@link #READ_TIMEOUT_MS}; one line of JSON out; then the connection closes. A few askers at once; more are
 * told the agent is busy.
 */
public final class OperatorSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorSocket.class);
    public static final int MAX_REQUEST_BYTES = 8192;
    public static final long READ_TIMEOUT_MS = 5000;
    /** The longest an asker may wait for the fleet. */
    public static final long MAX_WAIT_MS = 300_000;
    static final int MAX_CONCURRENT = 4;
    private static final Set<PosixFilePermission> OPEN_TO_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Path path;
    private final boolean mayTightenDir;
    private final AskService service;
    private final ScheduledExecutorService timers;
    private final ThreadPoolExecutor workers;
    private ServerSocketChannel server;
    private volatile boolean closed;

    /**
     * @param mayTightenDir the directory is the agent's own state directory: make it 0700 if it is not (as
     *                      enrollment does); otherwise a directory open to others is refused
     * @param timers        schedules the read deadline of each connection
     */
    public OperatorSocket(Path path, boolean mayTightenDir, AskService service, ScheduledExecutorService timers) {
        this.path = path.toAbsolutePath();
        this.mayTightenDir = mayTightenDir;
        this.service = service;
        this.timers = timers;
        this.workers = new ThreadPoolExecutor(0, MAX_CONCURRENT, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                DaemonThreads.named("ask-socket"));
    }

    public Path path() {
        return path;
    }

    /**
     * Creates the socket and starts accepting.
     *
     * @throws IOException saying why (another agent listens there, a directory open to others, ...)
     */
    public void open() throws IOException {
        Path dir = path.getParent();
        privateDir(dir);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (OperatorClient.listening(path)) {
                throw new IOException("another agent is already listening on " + path + " (ask.socket); stop it first");
            }
            Files.delete(path); // left behind by an agent that did not stop cleanly
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            ch.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        server = ch;
        DaemonThreads.start("ask-socket-accept", this::acceptLoop);
    }

    private void privateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
        if (perms.stream().anyMatch(OPEN_TO_OTHERS::contains)) {
            if (!mayTightenDir) {
                throw new IOException("ask.socket: " + dir + " is open to other users (" + PosixFilePermissions.toString(perms)
                        + "); the operator socket must be in a directory only the agent's user can enter: chmod 700 " + dir
                        + ", or set ask.socket to a path in the state directory");
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.warn("operator socket accept failed: {}", e.getMessage());
                continue;
            }
            try {
                workers.execute(() -> serve(c));
            } catch (RejectedExecutionException e) {
                reply(c, AskJson.result(AskResult.refused("", "the agent is answering " + MAX_CONCURRENT
                        + " questions already; ask again in a moment")));
            }
        }
    }

    private void serve(SocketChannel c) {
        String asker = peer(c);
        ScheduledFuture<?> deadline;
        try {
            deadline = timers.schedule(() -> closeQuietly(c), READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            closeQuietly(c); // the agent is stopping
            return;
        }
        String line;
        try {
            line = readLine(c);
        } catch (IOException e) {
            deadline.cancel(false);
            if (c.isOpen()) {
                reply(c, AskJson.result(AskResult.refused("", e.getMessage())));
            }
            return;
        }
        deadline.cancel(false);
        if (line == null) {
            closeQuietly(c);
            return;
        }
        AskResult result;
        try {
            AskJson.Request r = AskJson.parseRequest(line);
            long wait = Math.min(r.timeoutMs(), MAX_WAIT_MS);
            var future = r.id() != null ? service.result(r.id(), wait)
                    : service.ask(AskRequest.local(r.text(), r.yes(), wait, asker));
            result = future.get(wait + 10_000, TimeUnit.MILLISECONDS);
        } catch (IllegalArgumentException e) {
            result = AskResult.refused("", "bad request: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = AskResult.refused("", "the agent is stopping");
        } catch (ExecutionException | TimeoutException e) {
            result = AskResult.refused("", "the agent could not answer: " + e);
        }
        reply(c, AskJson.result(result));
    }

    /** The asking user's name (SO_PEERCRED), or empty. */
    private static String peer(SocketChannel c) {
        try {
            return c.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** One line (without its newline), null at a clean end before any byte. */
    static String readLine(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1024);
        while (true) {
            b.clear();
            int n;
            try {
                n = c.read(b);
            } catch (ClosedChannelException e) {
                throw new IOException("no complete request line within " + READ_TIMEOUT_MS + " ms");
            }
            if (n < 0) {
                return out.size() == 0 ? null : out.toString(StandardCharsets.UTF_8);
            }
            for (int i = 0; i < n; i++) {
                byte x = b.get(i);
                if (x == '\n') {
                    return out.toString(StandardCharsets.UTF_8);
                }
                out.write(x);
                if (out.size() > MAX_REQUEST_BYTES) {
                    throw new IOException("request longer than " + MAX_REQUEST_BYTES + " bytes");
                }
            }
        }
    }

    private static void reply(SocketChannel c, String json) {
        try (c) {
            ByteBuffer b = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                c.write(b);
            }
        } catch (IOException ignored) {
            // the asker went away
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a stale socket is removed at the next start
            }
        }
        workers.shutdownNow();
    }
}
