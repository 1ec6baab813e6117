package io.nanofleet.llm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds a {@link ChatResponse} from {@code chat.completion.chunk} objects: text deltas are appended (and handed
 * to the sink), tool-call fragments are joined by their {@code index}, the finish reason and the model are kept,
 * and the usage comes from the last chunk ({@code stream_options.include_usage}).
 */
final class StreamAssembler {
    private static final class PartialCall {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
        final int index;

        PartialCall(int index) {
            this.index = index;
        }
    }

    private final String configuredModel;
    private final Consumer<String> sink;
    private final StringBuilder text = new StringBuilder();
    private final List<PartialCall> calls = new ArrayList<>();
    private String model;
    private String finishReason;
    private Optional<Usage> usage = Optional.empty();
    private int deltas;

    StreamAssembler(String configuredModel, Consumer<String> sink) {
        this.configuredModel = configuredModel;
        this.sink = sink;
    }

    void chunk(JsonNode chunk) throws AttemptFailure {
        if (model == null) {
            String m = WireFormat.text(chunk.path("model"));
            model = m == null || m.isEmpty() ? null : m;
        }
        Optional<Usage> u = WireFormat.usage(chunk.path("usage"));
        if (u.isPresent()) {
            usage = u;
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return;
        }
        JsonNode delta = choice.path("delta");
        JsonNode content = delta.path("content");
        if (content.isTextual() && !content.asText().isEmpty()) {
            text.append(content.asText());
            deltas++;
            sink.accept(content.asText());
        }
        for (JsonNode fragment : delta.path("tool_calls")) {
            toolCallFragment(fragment);
        }
        String finish = WireFormat.text(choice.path("finish_reason"));
        if (finish != null) {
            finishReason = finish;
        }
    }

    private void toolCallFragment(JsonNode f) throws AttemptFailure {
        int index = f.path("index").canConvertToInt() ? f.path("index").asInt() : calls.size();
        String id = WireFormat.text(f.path("id"));
        PartialCall call = null;
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (calls.get(i).index == index) {
                call = calls.get(i);
                break;
            }
        }
        // Ollama sends parallel calls all at index 0, told apart only by a new id.
        if (call == null || (id != null && !id.isEmpty() && call.id != null && !id.equals(call.id))) {
            if (calls.size() >= 128) {
                throw new AttemptFailure(LlmException.Reason.BAD_RESPONSE, "more than 128 tool calls in one answer");
            }
            call = new PartialCall(index);
            calls.add(call);
        }
        if (id != null && !id.isEmpty()) {
            call.id = id;
        }
        JsonNode fn = f.path("function");
        String name = WireFormat.text(fn.path("name"));
        // The name comes whole in the first fragment; some servers repeat it in later ones.
        if (name != null && !name.isEmpty() && call.name == null) {
            call.name = name;
        }
        call.arguments.append(WireFormat.argumentsText(fn.path("arguments")));
    }

    /** Text deltas passed to the sink so far. */
    int deltas() {
        return deltas;
    }

    ChatResponse finish() throws AttemptFailure {
        List<ToolCall> done = new ArrayList<>();
        for (PartialCall c : calls) {
            if (c.name == null) {
                throw new AttemptFailure(LlmException.Reason.BROKEN_STREAM, "a streamed tool call never got its function name");
            }
            done.add(new ToolCall(c.id == null ? "call_" + done.size() : c.id, c.name, c.arguments.toString()));
        }
        return new ChatResponse(text.toString(), done, finishReason, model == null ? configuredModel : model, usage);
    }
}
