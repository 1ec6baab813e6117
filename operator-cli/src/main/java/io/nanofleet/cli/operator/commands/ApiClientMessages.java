package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.Json;

/** The server's {@code {"error": ...}} text of an answer. */
final class ApiClientMessages {
    private ApiClientMessages() {
    }

    static String error(ApiClient.Answer a) {
        try {
            JsonNode n = Json.MAPPER.readTree(a.body());
            if (n != null && n.path("error").isTextual()) {
                return n.path("error").asText();
            }
        } catch (Exception e) {
            // not JSON
        }
        return "HTTP " + a.status();
    }
}
