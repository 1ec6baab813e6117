package io.nanofleet.llm.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link FakeOpenAiServer} answers to one request. The factories cover what real providers do. */
@FunctionalInterface
public interface Reply {
    ObjectMapper JSON = new ObjectMapper();

    void send(HttpExchange exchange, FakeOpenAiServer.Received request) throws IOException, InterruptedException;

    /** A {@code chat.completion} with this text, usage 12 in / 5 out, finish reason stop, the requested model. */
    static Completion completion(String text) {
        return new Completion(text);
    }

    /** A stream of these text deltas, then finish reason stop, a usage chunk (12 in, one token a delta) and [DONE]. */
    static Stream stream(String... deltas) {
        Stream s = new Stream();
        for (String d : deltas) {
            s.delta(d);
        }
        return s.finish("stop").usage(12, deltas.length);
    }

    /** An empty stream to build up: {@code Reply.streamOf().delta("Hel").cut()}. Ends with [DONE] unless told otherwise. */
    static Stream streamOf() {
        return new Stream();
    }

    static Status status(int code) {
        return new Status(code);
    }

    /** 429 as OpenAI sends it for requests or tokens per minute. */
    static Status rateLimited() {
        return status(429).errorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded");
    }

    /** 429 as OpenAI sends it when the account has no credit left: not to be retried. */
    static Status quotaExhausted() {
        return status(429).errorBody("You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota", "insufficient_quota");
    }

    static Status serverError() {
        return status(500).errorBody("The server had an error while processing your request.", "server_error", null);
    }

    static Status badRequest(String message) {
        return status(400).errorBody(message, "invalid_request_error", null);
    }

    static Status unauthorized() {
        return status(401).errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }

    /** HTTP 200 whose body is an error object (proxies and routers relaying an upstream failure do this). */
    static Status errorIn200(String message) {
        return status(200).errorBody(message, "server_error", "upstream_error");
    }

    /** Waits before sending anything, not even the head. */
    static Reply delayed(Duration wait, Reply then) {
        return (exchange, request) -> {
            Thread.sleep(wait.toMillis());
            then.send(exchange, request);
        };
    }

    /** A fixed-length response: status, headers, JSON body. */
    final class Status implements Reply {
        private final int code;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String body = "";

        Status(int code) {
            this.code = code;
        }

        public Status header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** {@code Retry-After}: delay-seconds or an HTTP date. */
        public Status retryAfter(String value) {
            return header("Retry-After", value);
        }

        public Status retryAfterMs(String value) {
            return header("retry-after-ms", value);
        }

        public Status body(String json) {
            this.body = json;
            return this;
        }

        /** {@code {"error": {"message", "type", "param": null, "code"}}}; a null code is sent as null. */
        public Status errorBody(String message, String type, String errorCode) {
            ObjectNode error = JSON.createObjectNode();
            error.putObject("error").put("message", message).put("type", type).putNull("param").put("code", errorCode);
            return body(error.toString());
        }

        @Override
        public void send(HttpExchange exchange, FakeOpenAiServer.Received request) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** A non-streamed {@code chat.completion}. */
    final class Completion implements Reply {
        private final String text;
        private String model;
        private String finish;
        private long promptTokens = 12;
        private long completionTokens = 5;
        private boolean usage = true;
        private final List<String[]> toolCalls = new ArrayList<>();

        Completion(String text) {
            this.text = text;
        }

        /** Default: the model the request asked for. */
        public Completion model(String m) {
            this.model = m;
            return this;
        }

        public Completion usage(long in, long out) {
            this.promptTokens = in;
            this.completionTokens = out;
            return this;
        }

        public Completion noUsage() {
            this.usage = false;
            return this;
        }

        /** Adds a tool call; the finish reason becomes tool_calls unless set. */
        public Completion toolCall(String id, String name, String argumentsJson) {
            toolCalls.add(new String[] {id, name, argumentsJson});
            return this;
        }

        public Completion finish(String reason) {
            this.finish = reason;
            return this;
        }

        @Override
        public void send(HttpExchange exchange, FakeOpenAiServer.Received request) throws IOException {
            ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion")
                    .put("created", 1_700_000_000L).put("model", model != null ? model : request.model());
            ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            if (text == null) {
                message.putNull("content");
            } else {
                message.put("content", text);
            }
            if (!toolCalls.isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (String[] c : toolCalls) {
                    calls.addObject().put("id", c[0]).put("type", "function")
                            .putObject("function").put("name", c[1]).put("arguments", c[2]);
                }
            }
            choice.put("finish_reason", finish != null ? finish : toolCalls.isEmpty() ? "stop" : "tool_calls");
            if (usage) {
                root.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                        .put("total_tokens", promptTokens + completionTokens);
            }
            new Status(200).body(root.toString()).send(exchange, request);
        }
    }

    /**
     * A server-sent-events stream of {@code chat.completion.chunk}s as OpenAI sends them: a role chunk, content or
     * tool-call deltas, a finish chunk, a usage chunk with empty choices, {@code data: [DONE]}. It can also pause,
     * send comments, error events and raw lines, end without [DONE], or break the connection mid-way.
     */
    final class Stream implements Reply {
        private interface Step {
            void write(StreamWriter w, String model) throws IOException, InterruptedException;
        }

        private final List<Step> steps = new ArrayList<>();
        private String model;
        private boolean done = true;
        private boolean cut;

        Stream() {
        }

        /** Default: the model the request asked for. */
        public Stream model(String m) {
            this.model = m;
            return this;
        }

        public Stream delta(String text) {
            steps.add((w, m) -> w.event(chunk(m, JSON.createObjectNode().put("content", text), null)));
            return this;
        }

        /** One tool-call fragment: id and name come with the first one, arguments in pieces. */
        public Stream toolCallDelta(int index, String id, String name, String argumentsPiece) {
            steps.add((w, m) -> {
                ObjectNode delta = JSON.createObjectNode();
                ObjectNode call = delta.putArray("tool_calls").addObject().put("index", index);
                if (id != null) {
                    call.put("id", id).put("type", "function");
                }
                ObjectNode fn = call.putObject("function");
                if (name != null) {
                    fn.put("name", name);
                }
                fn.put("arguments", argumentsPiece);
                w.event(chunk(m, delta, null));
            });
            return this;
        }

        public Stream finish(String reason) {
            steps.add((w, m) -> w.event(chunk(m, JSON.createObjectNode(), reason)));
            return this;
        }

        /** The include_usage chunk: empty choices, usage set. */
        public Stream usage(long in, long out) {
            steps.add((w, m) -> {
                ObjectNode root = base(m);
                root.putArray("choices");
                root.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
                w.event("data: " + root);
            });
            return this;
        }

        /** An SSE comment line, as OpenRouter sends to keep the connection alive. */
        public Stream comment(String text) {
            steps.add((w, m) -> w.event(": " + text));
            return this;
        }

        /** {@code event: error} with this data. */
        public Stream errorEvent(String dataJson) {
            steps.add((w, m) -> w.event("event: error\ndata: " + dataJson));
            return this;
        }

        /** {@code data: {"error": {...}}}, the way OpenAI's SDK expects a mid-stream failure. */
        public Stream dataError(String message, String type, String code) {
            steps.add((w, m) -> {
                ObjectNode root = JSON.createObjectNode();
                root.putObject("error").put("message", message).put("type", type).put("code", code);
                w.event("data: " + root);
            });
            return this;
        }

        /** Lines sent as they are, followed by the blank line that ends an event. */
        public Stream raw(String lines) {
            steps.add((w, m) -> w.event(lines));
            return this;
        }

        public Stream pause(Duration d) {
            steps.add((w, m) -> {
                w.flush();
                Thread.sleep(d.toMillis());
            });
            return this;
        }

        /** Ends the body cleanly, but without {@code data: [DONE]}. */
        public Stream withoutDone() {
            this.done = false;
            return this;
        }

        /** Breaks the connection after the steps so far, in the middle of the chunked body. */
        public Stream cut() {
            this.cut = true;
            this.done = false;
            return this;
        }

        private ObjectNode base(String m) {
            return JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                    .put("created", 1_700_000_000L).put("model", m);
        }

        private String chunk(String m, ObjectNode delta, String finish) {
            ObjectNode root = base(m);
            ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
            choice.set("delta", delta);
            if (finish == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finish);
            }
            return "data: " + root;
        }

        @Override
        public void send(HttpExchange exchange, FakeOpenAiServer.Received request) throws IOException, InterruptedException {
            String m = model != null ? model : request.model();
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            // No try-with-resources: closing the body would write the last chunk, and a cut must not.
            OutputStream out = exchange.getResponseBody();
            StreamWriter w = new StreamWriter(out);
            w.event(chunk(m, JSON.createObjectNode().put("role", "assistant").put("content", ""), null));
            for (Step s : steps) {
                s.write(w, m);
            }
            if (cut) {
                throw new Cut();
            }
            if (done) {
                w.event("data: [DONE]");
            }
            out.close();
        }
    }

    /**
     * Thrown from {@link #send} to drop the connection where the reply stands: the body ends without its last
     * chunk (or short of its Content-Length), and the client sees a broken response.
     */
    final class Cut extends RuntimeException {
        public Cut() {
            super("connection cut on purpose", null, false, false);
        }
    }

    /** Writes events separated by blank lines, flushing each so the client sees them one by one. */
    final class StreamWriter {
        private final OutputStream out;

        StreamWriter(OutputStream out) {
            this.out = out;
        }

        void event(String lines) throws IOException {
            out.write((lines + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void flush() throws IOException {
            out.flush();
        }
    }
}
