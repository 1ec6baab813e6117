package io.nanofleet.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A function the model may call: sent as {@code {"type":"function","function":{name, description, parameters}}}.
 * The parameters are a JSON Schema object, checked to be a JSON object here so a typo fails when the tool is
 * defined rather than as a 400 from the provider.
 */
public final class Tool {
    // OpenAI's rule for function names; stricter providers accept the same set.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String name;
    private final String description;
    private final JsonNode parameters;

    private Tool(String name, String description, JsonNode parameters) {
        this.name = name;
        this.description = description;
        this.parameters = parameters;
    }

    /**
     * @param name letters, digits, {@code _} and {@code -}, at most 64
     * @param description what the tool does, for the model (may be empty)
     * @param parametersSchema a JSON Schema object, e.g. {@code {"type":"object","properties":{...}}}
     * @throws IllegalArgumentException for a bad name or a schema that is not a JSON object
     */
    public static Tool function(String name, String description, String parametersSchema) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name must be 1-64 letters, digits, '_' or '-': " + name);
        }
        JsonNode schema;
        try {
            schema = Json.MAPPER.readTree(Objects.requireNonNull(parametersSchema, "parametersSchema"));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("parameters of tool " + name + " are not JSON: " + e.getOriginalMessage());
        }
        if (schema == null || !schema.isObject()) {
            throw new IllegalArgumentException("parameters of tool " + name + " must be a JSON object (a JSON Schema)");
        }
        return new Tool(name, description == null ? "" : description, schema);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The schema as JSON text. */
    public String parametersSchema() {
        return parameters.toString();
    }

    JsonNode parametersNode() {
        return parameters.deepCopy();
    }

    @Override
    public String toString() {
        return "Tool[" + name + "]";
    }
}
