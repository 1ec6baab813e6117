package io.nanofleet.agent.ask;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The operator socket's wire format: one line of JSON each way. Request {@code {"text": "...", "yes": false,
 * "timeout_ms": 10000}}, or {@code {"id": "q-..."}} for an earlier question's result. Answer: {@code {"id", "text",
 * "decision": "local"|"offload", "intent", "confidence", "slots": {...}, "answer", "source": "nano"|"fleet",
 * "error", "confirm", "outcome"}} with null for what is empty.
 */
public final class AskJson {
    private static final JsonFactory JSON = new JsonFactory();

    private AskJson() {}

    /** One request. */
    public record Request(String text, boolean yes, long timeoutMs, String id) {}

    public static String request(Request r) {
        return write(g -> {
            if (r.id() != null) {
                g.writeStringField("id", r.id());
            } else {
                g.writeStringField("text", r.text());
                g.writeBooleanField("yes", r.yes());
            }
            g.writeNumberField("timeout_ms", r.timeoutMs());
        });
    }

    /** @throws IllegalArgumentException saying what is wrong with the line */
    public static Request parseRequest(String line) {
        String text = null;
        String id = null;
        boolean yes = false;
        long timeout = 10_000;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("expected a JSON object such as {\"text\": \"turn off the kitchen lights\"}");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "text":
                        text = string(p, t, name);
                        break;
                    case "id":
                        id = string(p, t, name);
                        break;
                    case "yes":
                        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                            throw new IllegalArgumentException("yes must be true or false");
                        }
                        yes = t == JsonToken.VALUE_TRUE;
                        break;
                    case "timeout_ms":
                        if (t != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                            throw new IllegalArgumentException("timeout_ms must be a whole number >= 0");
                        }
                        timeout = p.getLongValue();
                        break;
                    default:
                        p.skipChildren();
                        break;
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (text == null && id == null) {
            throw new IllegalArgumentException("the request has neither text nor id");
        }
        return new Request(text, yes, timeout, id);
    }

    private static String string(JsonParser p, JsonToken t, String name) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(name + " must be a string");
        }
        return p.getText();
    }

    public static String result(AskResult r) {
        return write(g -> {
            nullable(g, "id", r.id());
            g.writeStringField("text", r.text());
            nullable(g, "decision", r.decision());
            nullable(g, "intent", r.intent());
            if (r.decision().isEmpty()) {
                g.writeNullField("confidence");
            } else {
                g.writeNumberField("confidence", Math.round(r.confidence() * 1000) / 1000.0);
            }
            g.writeObjectFieldStart("slots");
            for (Map.Entry<String, String> e : r.slots().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            nullable(g, "answer", r.answer());
            nullable(g, "source", r.source());
            nullable(g, "error", r.error());
            nullable(g, "confirm", r.confirm());
            g.writeStringField("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        });
    }

    /** @throws IllegalArgumentException when the line is not an answer */
    public static AskResult parseResult(String line) {
        Map<String, String> f = new LinkedHashMap<>();
        Map<String, String> slots = new LinkedHashMap<>();
        float confidence = 0;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the agent's answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("slots") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        p.nextToken();
                        slots.put(k, p.getValueAsString());
                    }
                } else if (name.equals("confidence") && t.isNumeric()) {
                    confidence = p.getFloatValue();
                } else if (t.isScalarValue()) {
                    f.put(name, t == JsonToken.VALUE_NULL ? "" : p.getValueAsString());
                } else {
                    p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the agent's answer is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the agent's answer is not JSON: " + e.getMessage());
        }
        AskResult.Outcome outcome;
        try {
            outcome = AskResult.Outcome.valueOf(f.getOrDefault("outcome", "").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the agent's answer has no known outcome: " + f.get("outcome"));
        }
        return new AskResult(f.get("id"), f.getOrDefault("text", ""), f.get("decision"), f.get("intent"), confidence, slots,
                f.get("answer"), f.get("source"), f.get("error"), f.get("confirm"), outcome);
    }

    private static void nullable(JsonGenerator g, String name, String v) throws IOException {
        if (v == null || v.isEmpty()) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, v);
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
