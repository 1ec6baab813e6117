package io.nanofleet.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI chat-completions wire format, both ways: the request body, a non-streamed
 * {@code chat.completion}, and the {@code error} object that failures carry
 * ({@code {"error": {"message", "type", "param", "code"}}}).
 */
final class WireFormat {
    private WireFormat() {
    }

    static byte[] requestBody(ChatRequest request, String model, boolean stream) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.add(message(m));
        }
        root.put("stream", stream);
        if (stream) {
            // Without it the stream carries no token counts at all; with it a last chunk (empty choices) does.
            root.putObject("stream_options").put("include_usage", true);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (Tool t : request.tools()) {
                ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
                fn.put("name", t.name());
                if (!t.description().isEmpty()) {
                    fn.put("description", t.description());
                }
                fn.set("parameters", t.parametersNode());
            }
        }
        request.toolChoice().ifPresent(c -> root.put("tool_choice", c));
        request.temperature().ifPresent(t -> root.put("temperature", t));
        request.maxTokens().ifPresent(n -> root.put("max_tokens", n));
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serialises", e);
        }
    }

    private static ObjectNode message(ChatMessage m) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("role", m.role().wire());
        if (m.content() == null) {
            o.putNull("content");
        } else {
            o.put("content", m.content());
        }
        if (!m.toolCalls().isEmpty()) {
            ArrayNode calls = o.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        if (m.toolCallId() != null) {
            o.put("tool_call_id", m.toolCallId());
        }
        return o;
    }

    /** A {@code chat.completion} object; the first choice is the answer. */
    static ChatResponse completion(JsonNode root, String configuredModel) throws AttemptFailure {
        JsonNode choice = root.path("choices").path(0);
        JsonNode message = choice.path("message");
        if (!message.isObject()) {
            throw new AttemptFailure(LlmException.Reason.BAD_RESPONSE, "200 response has no choices[0].message");
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode c : message.path("tool_calls")) {
            JsonNode fn = c.path("function");
            if (!fn.path("name").isTextual()) {
                throw new AttemptFailure(LlmException.Reason.BAD_RESPONSE, "a tool call has no function name");
            }
            calls.add(new ToolCall(c.path("id").asText(""), fn.path("name").asText(), argumentsText(fn.path("arguments"))));
        }
        return new ChatResponse(message.path("content").isTextual() ? message.path("content").asText() : "",
                calls, text(choice.path("finish_reason")), model(root, configuredModel), usage(root.path("usage")));
    }

    /** Arguments are a JSON string per the spec; some local servers send the object itself. */
    static String argumentsText(JsonNode args) {
        if (args.isTextual()) {
            return args.asText();
        }
        return args.isMissingNode() || args.isNull() ? "" : args.toString();
    }

    static String model(JsonNode root, String configuredModel) {
        String m = text(root.path("model"));
        return m == null || m.isEmpty() ? configuredModel : m;
    }

    static Optional<Usage> usage(JsonNode u) {
        if (!u.isObject() || !u.path("prompt_tokens").canConvertToLong() || !u.path("completion_tokens").canConvertToLong()) {
            return Optional.empty();
        }
        long in = Math.max(0, u.path("prompt_tokens").asLong());
        long out = Math.max(0, u.path("completion_tokens").asLong());
        long total = u.path("total_tokens").canConvertToLong() ? Math.max(0, u.path("total_tokens").asLong()) : in + out;
        return Optional.of(new Usage(in, out, total));
    }

    static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }

    /** The {@code error} member of a body, when it has a non-null one. */
    static Optional<JsonNode> errorOf(JsonNode root) {
        JsonNode e = root == null ? null : root.get("error");
        return e == null || e.isNull() || (e.isBoolean() && !e.asBoolean()) ? Optional.empty() : Optional.of(e);
    }

    static boolean isQuota(JsonNode error) {
        return "insufficient_quota".equals(error.path("code").asText(null))
                || "insufficient_quota".equals(error.path("type").asText(null));
    }

    /** The server's explanation: {@code error.message}, else {@code error} itself when it is a string. */
    static String errorMessage(JsonNode error) {
        if (error.isTextual()) {
            return error.asText();
        }
        String message = error.path("message").asText("");
        String code = error.path("code").isValueNode() && !error.path("code").isNull() ? error.path("code").asText() : null;
        String type = error.path("type").asText(null);
        StringBuilder s = new StringBuilder(message.isEmpty() ? "error without a message" : message);
        if (code != null || type != null) {
            s.append(" [").append(code != null ? "code " + code : "").append(code != null && type != null ? ", " : "")
                    .append(type != null ? "type " + type : "").append(']');
        }
        return s.toString();
    }

    /** Parses JSON, or returns null when the text is not JSON. */
    static JsonNode parseOrNull(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
