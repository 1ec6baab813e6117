package io.nanofleet.llm;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one ObjectMapper (thread-safe once configured; configured once here). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
