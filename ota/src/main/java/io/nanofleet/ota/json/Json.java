package io.nanofleet.ota.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses JSON into a plain tree (LinkedHashMap, ArrayList, String, Long/BigInteger, Boolean, null) and
 * writes it back. A plain tree, not a data binding, because TUF signatures cover the canonical form of
 * the object exactly as received: fields this code does not model must survive untouched.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            // duplicate keys would let two parsers see two different documents under one signature
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private Json() {
    }

    /** Parses a UTF-8 JSON document; floats are rejected because canonical JSON cannot represent them. */
    public static Object parse(byte[] data) throws JsonFormatException {
        try (JsonParser p = FACTORY.createParser(data)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new JsonFormatException("empty document");
            }
            Object value = read(p, first);
            if (p.nextToken() != null) {
                throw new JsonFormatException("trailing data after JSON value at " + p.currentLocation().getCharOffset());
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new JsonFormatException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new JsonFormatException("unreadable JSON: " + e.getMessage(), e);
        }
    }

    /** Parses and requires an object at the top. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] data) throws JsonFormatException {
        Object v = parse(data);
        if (!(v instanceof Map)) {
            throw new JsonFormatException("expected a JSON object at the top level");
        }
        return (Map<String, Object>) v;
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                JsonToken n;
                while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                JsonToken n;
                while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
                    l.add(read(p, n));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT: {
                BigInteger b = p.getBigIntegerValue();
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            }
            case VALUE_NUMBER_FLOAT:
                throw new JsonFormatException("floating point number " + p.getText() + " not allowed (canonical JSON has integers only)");
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new JsonFormatException("unexpected token " + t);
        }
    }

    /** Human-readable JSON (2-space indent), for files operators look at; signatures never cover this form. */
    public static byte[] pretty(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List) {
            g.writeStartArray();
            for (Object o : (List<?>) v) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof String) {
            g.writeString((String) v);
        } else if (v instanceof Long || v instanceof Integer) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass());
        }
    }
}
