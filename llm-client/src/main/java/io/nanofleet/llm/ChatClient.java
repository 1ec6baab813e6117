package io.nanofleet.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.nanofleet.llm.LlmException.Reason;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Chat completions against one OpenAI-compatible provider ({@code POST {base-url}/chat/completions}), with
 * retries. Thread-safe: one client serves concurrent calls. Build with {@link #builder}; most code uses a
 * {@link ProviderChain}, which builds one per provider.
 *
 * <p>Failures and what happens to them:
 * <ul>
 *   <li>429, 5xx, timeouts, refused connections, a body cut off, a stream without {@code data: [DONE]}, a 200 whose
 *       body or a stream event is an {@code error} object: retried up to {@code max-retries} times, waiting what the
 *       server asked for ({@code retry-after-ms}, {@code Retry-After} seconds or date) or else a
 *       {@link RetryPolicy} backoff;</li>
 *   <li>{@code insufficient_quota} (even as a 429), 402, 401/403 and every other 4xx: not retried.</li>
 * </ul>
 * The failure that ends a call is an {@link LlmException}; the API key is masked in every message.
 *
 * <p>Timeouts ({@code timeout-ms}): {@link #complete} must have the whole answer within it; {@link #stream} must
 * have the response head within it, then never wait longer than it for the next line, however long the answer.
 */
public final class ChatClient {
    /** Answers are text; anything bigger than this is a server gone wrong. */
    static final int MAX_BODY_CHARS = 8 * 1024 * 1024;
    private static final int MAX_ERROR_BODY_CHARS = 64 * 1024;
    private static final int MAX_SHOWN_CHARS = 300;

    /** An answer and the number of HTTP requests it took. */
    record Outcome(ChatResponse response, int attempts) {
    }

    private final ProviderConfig provider;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Sleeper sleeper;
    private final Clock clock;
    private final StreamBuffering buffering;

    private ChatClient(Builder b) {
        this.provider = b.provider;
        this.http = b.http != null ? b.http : defaultHttpClient();
        this.retry = b.retry;
        this.sleeper = b.sleeper;
        this.clock = b.clock;
        this.buffering = b.buffering;
    }

    public static Builder builder(ProviderConfig provider) {
        return new Builder(provider);
    }

    /** HTTP/1.1: plain-http local servers need no h2c upgrade dance, and pooled connections serve concurrency. */
    static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public ProviderConfig provider() {
        return provider;
    }

    /** One answer, as a single JSON response ({@code stream: false}). */
    public ChatResponse complete(ChatRequest request) throws LlmException {
        return call(request, null, false).response();
    }

    /**
     * One answer, streamed ({@code stream: true}, usage included). {@code deltas} gets the text pieces in order,
     * as {@link StreamBuffering} allows: with the default, while a retry is still possible they are held back until
     * the attempt completes; the last attempt passes them on as they arrive. The returned response has the whole
     * text. An exception thrown by {@code deltas} stops the stream and is thrown from here unchanged.
     */
    public ChatResponse stream(ChatRequest request, Consumer<String> deltas) throws LlmException {
        return call(request, Objects.requireNonNull(deltas, "deltas"), false).response();
    }

    /**
     * @param deltas null for a JSON completion
     * @param fallbackAfter whether someone else (the next provider) takes over if this provider fails, so even the
     *                      last attempt here is buffered
     */
    Outcome call(ChatRequest request, Consumer<String> deltas, boolean fallbackAfter) throws LlmException {
        Objects.requireNonNull(request, "request");
        int maxAttempts = provider.maxRetries() + 1;
        for (int attempt = 1; ; attempt++) {
            boolean lastChance = attempt == maxAttempts && !fallbackAfter;
            try {
                ChatResponse r = deltas == null ? completeOnce(request) : streamOnce(request, deltas, live(lastChance));
                return new Outcome(r, attempt);
            } catch (AttemptFailure f) {
                if (!f.reason().retryable() || f.partialOutput() || attempt == maxAttempts) {
                    throw LlmException.fromProvider(provider.name(), f, attempt);
                }
                Duration wait;
                if (f.retryAfter().isPresent()) {
                    wait = f.retryAfter().get();
                    if (wait.compareTo(retry.maxRetryAfter()) > 0) {
                        throw LlmException.fromProvider(provider.name(), f.withMessage(f.getMessage() + " (asked to wait "
                                + wait.toMillis() + " ms, more than the " + retry.maxRetryAfter().toMillis()
                                + " ms we wait)"), attempt);
                    }
                } else {
                    wait = retry.backoff(attempt);
                }
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    throw interrupted(attempt, e);
                }
            } catch (InterruptedException e) {
                throw interrupted(attempt, e);
            }
        }
    }

    private LlmException interrupted(int attempt, InterruptedException e) {
        Thread.currentThread().interrupt();
        return LlmException.fromProvider(provider.name(),
                new AttemptFailure(Reason.INTERRUPTED, "interrupted", 0, null, false, e), attempt);
    }

    private boolean live(boolean lastChance) {
        switch (buffering) {
            case NEVER:
                return true;
            case ALWAYS:
                return false;
            default:
                return lastChance;
        }
    }

    private ChatResponse completeOnce(ChatRequest request) throws AttemptFailure, InterruptedException {
        long deadline = System.nanoTime() + provider.timeout().toNanos();
        LineStream body = send(request, false);
        try {
            LineStream.Head head = head(body, deadline);
            if (head.status / 100 != 2) {
                throw httpFailure(head, errorBody(body));
            }
            JsonNode root = jsonBody(body, deadline);
            return WireFormat.completion(root, provider.model());
        } finally {
            body.cancel();
        }
    }

    private ChatResponse streamOnce(ChatRequest request, Consumer<String> deltas, boolean live)
            throws AttemptFailure, InterruptedException {
        long deadline = System.nanoTime() + provider.timeout().toNanos();
        List<String> held = live ? null : new ArrayList<>();
        StreamAssembler answer = new StreamAssembler(provider.model(), live ? deltas : held::add);
        LineStream body = send(request, true);
        try {
            LineStream.Head head = head(body, deadline);
            if (head.status / 100 != 2) {
                throw httpFailure(head, errorBody(body));
            }
            ChatResponse r;
            if (head.headers.firstValue("content-type").orElse("").startsWith("application/json")) {
                // Asked for a stream, got one JSON body: an error, or a server that ignores "stream": true.
                r = WireFormat.completion(jsonBody(body, deadline), provider.model());
                if (!r.text().isEmpty()) {
                    (live ? deltas : (Consumer<String>) held::add).accept(r.text());
                }
            } else {
                readEvents(body, answer);
                r = answer.finish();
            }
            if (!live) {
                held.forEach(deltas);
            }
            return r;
        } catch (AttemptFailure f) {
            throw live && answer.deltas() > 0 ? f.withPartialOutput() : f;
        } finally {
            body.cancel();
        }
    }

    private LineStream send(ChatRequest request, boolean stream) {
        HttpRequest.Builder b = HttpRequest.newBuilder(provider.chatCompletionsUri())
                .timeout(provider.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(WireFormat.requestBody(request, provider.model(), stream)));
        if (provider.apiKey().isPresent()) {
            b.header("Authorization", "Bearer " + provider.apiKey().value());
        }
        LineStream body = new LineStream();
        body.attach(http.sendAsync(b.build(), body.handler()));
        return body;
    }

    private LineStream.Head head(LineStream body, long deadline) throws AttemptFailure, InterruptedException {
        try {
            return body.awaitHead(remaining(deadline));
        } catch (TimeoutException | HttpTimeoutException e) {
            throw new AttemptFailure(Reason.TIMEOUT, "no response within " + provider.timeout().toMillis() + " ms",
                    0, null, false, e instanceof TimeoutException ? null : e);
        } catch (IOException e) {
            throw new AttemptFailure(Reason.CONNECTION_FAILED, "connection failed: " + describe(e), 0, null, false, null);
        }
    }

    /** The whole body as JSON, within the attempt's deadline; a 200 whose body is an error object fails. */
    private JsonNode jsonBody(LineStream body, long deadline) throws AttemptFailure, InterruptedException {
        StringBuilder text = new StringBuilder();
        try {
            for (String line; (line = body.nextLine(remaining(deadline))) != null; ) {
                text.append(line).append('\n');
                if (text.length() > MAX_BODY_CHARS) {
                    throw new AttemptFailure(Reason.BAD_RESPONSE, "response larger than " + MAX_BODY_CHARS + " characters");
                }
            }
        } catch (TimeoutException e) {
            throw new AttemptFailure(Reason.TIMEOUT, "answer not complete within " + provider.timeout().toMillis() + " ms");
        } catch (IOException e) {
            throw new AttemptFailure(Reason.BROKEN_STREAM, "response body cut off: " + describe(e));
        }
        JsonNode root = WireFormat.parseOrNull(text.toString());
        if (root == null || !root.isObject()) {
            throw new AttemptFailure(Reason.BAD_RESPONSE, "2xx response is not a JSON object");
        }
        JsonNode error = WireFormat.errorOf(root).orElse(null);
        if (error != null) {
            throw new AttemptFailure(WireFormat.isQuota(error) ? Reason.QUOTA_EXHAUSTED : Reason.ERROR_BODY,
                    "2xx response with an error body: " + shown(WireFormat.errorMessage(error)));
        }
        return root;
    }

    /** Server-sent events until {@code data: [DONE]}, each {@code data:} a chunk for the assembler. */
    private void readEvents(LineStream body, StreamAssembler answer) throws AttemptFailure, InterruptedException {
        String event = null;
        StringBuilder data = null;
        long chars = 0;
        while (true) {
            String line;
            try {
                line = body.nextLine(provider.timeout());
            } catch (TimeoutException e) {
                throw new AttemptFailure(Reason.TIMEOUT, "stream silent for " + provider.timeout().toMillis() + " ms");
            } catch (IOException e) {
                throw new AttemptFailure(Reason.BROKEN_STREAM, "stream cut off: " + describe(e));
            }
            if (line == null) {
                // Tolerate a last event without its blank line, but not a missing [DONE]: that is a cut stream.
                if ((event != null || data != null) && dispatch(event, data, answer)) {
                    return;
                }
                throw new AttemptFailure(Reason.BROKEN_STREAM, "stream ended without data: [DONE]");
            }
            chars += line.length();
            if (chars > MAX_BODY_CHARS) {
                throw new AttemptFailure(Reason.BAD_RESPONSE, "stream larger than " + MAX_BODY_CHARS + " characters");
            }
            if (line.isEmpty()) {
                if ((event != null || data != null) && dispatch(event, data, answer)) {
                    return;
                }
                event = null;
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue; // comment / keep-alive (OpenRouter sends ": OPENROUTER PROCESSING")
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                event = value;
            } else if (field.equals("data")) {
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
    }

    /** @return true at {@code [DONE]} */
    private boolean dispatch(String event, StringBuilder data, StreamAssembler answer) throws AttemptFailure {
        String d = data == null ? "" : data.toString();
        if (d.strip().equals("[DONE]")) {
            return true;
        }
        if ("error".equals(event)) {
            JsonNode root = WireFormat.parseOrNull(d);
            JsonNode error = root == null ? TextNode.valueOf(d.isEmpty() ? "error event without data" : d)
                    : WireFormat.errorOf(root).orElse(root);
            throw streamError(error);
        }
        if (d.isEmpty()) {
            return false;
        }
        JsonNode root = WireFormat.parseOrNull(d);
        if (root == null || !root.isObject()) {
            throw new AttemptFailure(Reason.BROKEN_STREAM, "a stream event's data is not a JSON object");
        }
        JsonNode error = WireFormat.errorOf(root).orElse(null);
        if (error != null) {
            throw streamError(error);
        }
        answer.chunk(root);
        return false;
    }

    private AttemptFailure streamError(JsonNode error) {
        return new AttemptFailure(WireFormat.isQuota(error) ? Reason.QUOTA_EXHAUSTED : Reason.ERROR_BODY,
                "error in the stream: " + shown(WireFormat.errorMessage(error)));
    }

    /** What a failed response says; whatever arrived if it stops early (the status is what counts). */
    private String errorBody(LineStream body) throws InterruptedException {
        StringBuilder text = new StringBuilder();
        long deadline = System.nanoTime() + provider.timeout().toNanos();
        try {
            for (String line; text.length() < MAX_ERROR_BODY_CHARS && (line = body.nextLine(remaining(deadline))) != null; ) {
                text.append(line).append('\n');
            }
        } catch (TimeoutException | IOException e) {
            // keep what we have
        }
        return text.toString();
    }

    private AttemptFailure httpFailure(LineStream.Head head, String body) {
        int status = head.status;
        JsonNode root = WireFormat.parseOrNull(body);
        JsonNode error = WireFormat.errorOf(root).orElse(null);
        String said = error != null ? WireFormat.errorMessage(error) : body.isBlank() ? "(empty body)" : body;
        Reason reason;
        if (status == 402 || (error != null && WireFormat.isQuota(error))) {
            reason = Reason.QUOTA_EXHAUSTED;
        } else if (status == 429) {
            reason = Reason.RATE_LIMITED;
        } else if (status >= 500) {
            reason = Reason.SERVER_ERROR;
        } else if (status == 401 || status == 403) {
            reason = Reason.UNAUTHORIZED;
        } else {
            reason = Reason.BAD_REQUEST;
        }
        return new AttemptFailure(reason, "HTTP " + status + ": " + shown(said), status,
                RetryAfter.from(head.headers, clock.instant()).orElse(null), false, null);
    }

    /** Server text fit for a message: key masked first, then control characters flattened, then cut short. */
    private String shown(String text) {
        String s = provider.apiKey().mask(text).replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        return s.length() > MAX_SHOWN_CHARS ? s.substring(0, MAX_SHOWN_CHARS) + "..." : s;
    }

    private String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + shown(m));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    @Override
    public String toString() {
        return "ChatClient[" + provider + "]";
    }

    public static final class Builder {
        private final ProviderConfig provider;
        private HttpClient http;
        private RetryPolicy retry = RetryPolicy.defaults();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Clock clock = Clock.systemUTC();
        private StreamBuffering buffering = StreamBuffering.UNTIL_LAST_ATTEMPT;

        private Builder(ProviderConfig provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        /** Default: a client of its own (HTTP/1.1, 10 s connect timeout). */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        public Builder retryPolicy(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Read for {@code Retry-After} dates. Timeouts always run on real time. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder streamBuffering(StreamBuffering buffering) {
            this.buffering = Objects.requireNonNull(buffering, "buffering");
            return this;
        }

        public ChatClient build() {
            return new ChatClient(this);
        }
    }
}
