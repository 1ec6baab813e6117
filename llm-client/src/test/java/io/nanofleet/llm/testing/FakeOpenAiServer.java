package io.nanofleet.llm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible chat-completions server for tests, on 127.0.0.1 at a free port. Each request gets the next
 * scripted {@link Reply} ({@link #enqueue}); once the script is used up, the {@link #otherwise} reply (by default a
 * 500 saying nothing was scripted). Every request is recorded, headers and body, before it is answered, so a test
 * can check what the client sent even when the reply was a timeout.
 *
 * <pre>
 * try (FakeOpenAiServer fake = FakeOpenAiServer.start()) {
 *     fake.enqueue(Reply.rateLimited().retryAfter("1"), Reply.completion("hello"));
 *     ... base-url: fake.baseUrl() ...
 *     assertEquals("Bearer test-key", fake.lastRequest().header("Authorization"));
 * }
 * </pre>
 */
public final class FakeOpenAiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the server received it. Header names are lower case. */
    public static final class Received {
        private final String method;
        private final String path;
        private final Map<String, List<String>> headers;
        private final String body;

        Received(String method, String path, Map<String, List<String>> headers, String body) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.body = body;
        }

        public String method() {
            return method;
        }

        public String path() {
            return path;
        }

        public Map<String, List<String>> headers() {
            return headers;
        }

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String body() {
            return body;
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("request body is not JSON: " + body, e);
            }
        }

        /** The {@code model} the request asked for. */
        public String model() {
            return json().path("model").asText(null);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Received> received = new ArrayList<>();
    private Reply otherwise = Reply.status(500).errorBody("FakeOpenAiServer: no reply scripted for this request", "server_error", null);

    private FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // A thread per exchange: a slow reply must not hold up the next request (a retry, a second client).
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-openai");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeOpenAiServer start() throws IOException {
        return new FakeOpenAiServer();
    }

    /** {@code http://127.0.0.1:PORT/v1}, for {@code base-url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Replies for the next requests, in order. */
    public synchronized FakeOpenAiServer enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** The reply for every request once the script is used up. */
    public synchronized FakeOpenAiServer otherwise(Reply reply) {
        this.otherwise = reply;
        return this;
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    public synchronized int requestCount() {
        return received.size();
    }

    public synchronized Received lastRequest() {
        if (received.isEmpty()) {
            throw new IllegalStateException("no request received");
        }
        return received.get(received.size() - 1);
    }

    private void handle(HttpExchange exchange) {
        try {
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received r = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
            Reply reply;
            synchronized (this) {
                received.add(r);
                reply = script.isEmpty() ? otherwise : script.removeFirst();
            }
            if (!r.path().endsWith("/chat/completions")) {
                reply = Reply.status(404).errorBody("FakeOpenAiServer only serves /chat/completions", "invalid_request_error", null);
            }
            reply.send(exchange, r);
        } catch (Reply.Cut cut) {
            // Leave the exchange unfinished and let the exception reach the JDK server: that is the one way it
            // drops the connection mid-body, which is what a dying upstream looks like to the client.
            throw cut;
        } catch (IOException | RuntimeException e) {
            // The client went away (timeout, cancel).
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
