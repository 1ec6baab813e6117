package io.nanofleet.ota.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 serving a directory as a static TUF repository would be served, with
 * hooks to replace a file's bytes (tampering) or take over a path entirely (stalls, endless bodies).
 * Honors "Range: bytes=N-" so resumable downloads are exercised for real.
 */
public final class RepoServer implements AutoCloseable {
    static {
        // Without TCP_NODELAY every small response waits out the peer's delayed ACK (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Takes over a request for one path. */
    public interface Behavior {
        void handle(HttpExchange ex) throws IOException;
    }

    private final HttpServer server;
    private final Path root;
    private final Map<String, byte[]> overrides = new ConcurrentHashMap<>();
    private final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();
    private final List<String> served = new CopyOnWriteArrayList<>();
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong metadataBytes = new java.util.concurrent.atomic.AtomicLong();

    public RepoServer(Path root) throws IOException {
        this.root = root;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "repo-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + path);
    }

    public void override(String path, byte[] data) {
        overrides.put(path, data);
    }

    public void behave(String path, Behavior b) {
        behaviors.put(path, b);
    }

    public void reset() {
        overrides.clear();
        behaviors.clear();
        served.clear();
        metadataBytes.set(0);
    }

    /** Body bytes sent for paths under metadata/ since start (or the last reset). */
    public long metadataBytes() {
        return metadataBytes.get();
    }

    /** Range headers received, in order. */
    public List<String> ranges() {
        return ranges;
    }

    /** Paths that returned 200/206, in order. */
    public List<String> served() {
        return served;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath().substring(1);
            path = java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            Behavior b = behaviors.get(path);
            if (b != null) {
                served.add(path);
                b.handle(ex);
                return;
            }
            byte[] data = overrides.get(path);
            if (data == null) {
                Path f = root.resolve(path).normalize();
                if (!f.startsWith(root) || !Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                data = Files.readAllBytes(f);
            }
            served.add(path);
            ex.getResponseHeaders().set("Content-Type", path.endsWith(".json") ? "application/json" : "application/octet-stream");
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                ranges.add(path + " " + range);
            }
            int from = 0;
            if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                if (from > data.length) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
                ex.sendResponseHeaders(206, data.length - from == 0 ? -1 : data.length - from);
            } else {
                ex.sendResponseHeaders(200, data.length == 0 ? -1 : data.length);
            }
            if (path.startsWith("metadata/")) {
                metadataBytes.addAndGet(data.length - from);
            }
            try (OutputStream out = ex.getResponseBody()) {
                out.write(data, from, data.length - from);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
