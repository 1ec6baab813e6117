package io.nanofleet.server;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny JSON HTTP client for tests, over the JDK's HttpClient; methods with a token send it as Bearer. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public record Response(int status, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    private Http() {}

    public static Response get(String url) throws Exception {
        return get(url, null);
    }

    public static Response get(String url, String token) throws Exception {
        return send(request(url, token).GET());
    }

    public static Response post(String url, String json) throws Exception {
        return post(url, json, null);
    }

    public static Response post(String url, String json, String token) throws Exception {
        return send(request(url, token).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public static Response put(String url, String json, String token) throws Exception {
        return send(request(url, token).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Any method, with a JSON body for methods that take one. */
    public static Response method(String method, String url, String json, String token) throws Exception {
        return switch (method) {
            case "GET" -> get(url, token);
            case "DELETE" -> delete(url, token);
            case "PUT" -> put(url, json, token);
            default -> post(url, json, token);
        };
    }

    public static Response delete(String url, String token) throws Exception {
        return send(request(url, token).DELETE());
    }

    private static HttpRequest.Builder request(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private static Response send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }
}
