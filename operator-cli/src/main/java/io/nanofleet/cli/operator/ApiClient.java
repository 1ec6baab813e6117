package io.nanofleet.cli.operator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import javax.net.ssl.SSLException;

/**
 * The fleet server's public REST API over {@link HttpClient} (HTTP/1.1, bearer token, JSON). Every failure
 * becomes a {@link CliException} that says what happened and what to do: the server's own {@code {"error": ...}}
 * message for refusals, the reason for network failures.
 */
public final class ApiClient {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Where requests go and with which token; {@code tokenSource} says where the token came from (for messages). */
    public record Target(URI server, String token, String tokenSource) {
    }

    /** An answer: status and body (JSON when the server sent JSON). */
    public record Answer(int status, String body, String contentType) {
    }

    private final Target target;
    private final HttpClient http;

    public ApiClient(Target target, HttpClient http) {
        this.target = target;
        this.http = http;
    }

    public Target target() {
        return target;
    }

    /**
     * What to say when the server answers its generic 404 ({@code {"error":"not found"}}) for this request:
     * the server only knows the id is unknown, the command knows what the id was.
     */
    public record NotFound(String message, String hint) {
    }

    public JsonNode get(String path) {
        return get(path, (NotFound) null);
    }

    public JsonNode get(String path, NotFound nf) {
        return json("GET", path, call(request("GET", path, null)), nf);
    }

    /** A GET that answers null for the server's generic 404 (unknown id). */
    public JsonNode getOrNull(String path) {
        Answer a = call(request("GET", path, null));
        if (a.status() == 404 && "not found".equals(errorMessage(a))) {
            return null;
        }
        return json("GET", path, a, null);
    }

    public JsonNode get(String path, Map<String, String> query) {
        return get(path + query(query));
    }

    public JsonNode post(String path, JsonNode body) {
        return post(path, body, null);
    }

    public JsonNode post(String path, JsonNode body, NotFound nf) {
        return json("POST", path, call(request("POST", path, body)), nf);
    }

    public JsonNode put(String path, JsonNode body, NotFound nf) {
        return json("PUT", path, call(request("PUT", path, body)), nf);
    }

    /** A GET whose answer is returned whatever its status (for probing the caller's role); network failures still throw. */
    public Answer probe(String path) {
        return call(request("GET", path, null));
    }

    /** Sends a request built elsewhere (uploads), with this client's error handling. */
    public JsonNode send(String method, String path, HttpRequest.Builder b) {
        b.uri(uri(path)).header("Authorization", "Bearer " + target.token()).header("Accept", "application/json");
        return json(method, path, call(b.build()), null);
    }

    /** {@code ?a=1&b=2} from the non-null entries, URL-encoded; "" when none. */
    public static String query(Map<String, String> q) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        for (Map.Entry<String, String> e : q.entrySet()) {
            if (e.getValue() != null) {
                j.add(enc(e.getKey()) + "=" + enc(e.getValue()));
            }
        }
        return j.toString();
    }

    public static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** One path segment (a device id, a rollout id), encoded. */
    public static String seg(String s) {
        return enc(s).replace("+", "%20");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    URI uri(String path) {
        return URI.create(target.server().toString() + path);
    }

    private HttpRequest request(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + target.token()).header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    private Answer call(HttpRequest r) {
        try {
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(resp.statusCode(), resp.body(), resp.headers().firstValue("content-type").orElse(""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "interrupted");
        } catch (IOException | UnresolvedAddressException e) {
            throw unreachable(r, e);
        }
    }

    /** A network failure, in words: refused, unknown host, timeout, TLS. */
    CliException unreachable(HttpRequest r, Exception e) {
        String server = target.server().toString();
        String check = "check the URL (--server, NANOFLEET_SERVER or nanofleet login) and that the fleet server is running there";
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new CliException(ExitCodes.UNREACHABLE, "cannot reach " + server + ": connecting timed out", check);
        }
        if (e instanceof HttpTimeoutException) {
            return new CliException(ExitCodes.UNREACHABLE, r.method() + " " + r.uri().getPath() + " got no answer from " + server
                    + " within " + REQUEST_TIMEOUT.toSeconds() + " s", "the server may be overloaded; try again");
        }
        if (e instanceof UnresolvedAddressException || root instanceof UnresolvedAddressException
                || root instanceof java.net.UnknownHostException) {
            return new CliException(ExitCodes.UNREACHABLE, "cannot reach " + server + ": unknown host " + target.server().getHost(), check);
        }
        if (e instanceof ConnectException || root instanceof ConnectException) {
            return new CliException(ExitCodes.UNREACHABLE, "cannot reach " + server + ": connection refused", check);
        }
        if (e instanceof SSLException || root instanceof SSLException || root instanceof java.security.cert.CertificateException) {
            return new CliException(ExitCodes.UNREACHABLE, "TLS with " + server + " failed: " + root.getMessage(),
                    "for a server with a self-made certificate, import its CA into the JVM's trust store (JAVA_OPTS=-Djavax.net.ssl.trustStore=...)"
                            + ", or check that the URL's scheme (http/https) is what the server serves");
        }
        String what = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new CliException(ExitCodes.UNREACHABLE, r.method() + " " + r.uri().getPath() + " to " + server + " failed: " + what, check);
    }

    /** The body as JSON for a 2xx; otherwise the server's error message as a {@link CliException}. */
    JsonNode json(String method, String path, Answer a, NotFound nf) {
        if (a.status() / 100 == 2) {
            if (a.body() == null || a.body().isBlank()) {
                return Json.MAPPER.createObjectNode();
            }
            try {
                return Json.MAPPER.readTree(a.body());
            } catch (IOException e) {
                throw new CliException(ExitCodes.UNREACHABLE, method + " " + path + " answered " + a.status()
                        + " with something that is not JSON: " + abbreviate(a.body()),
                        "is " + target.server() + " a NanoFleet fleet server? Give its base URL, e.g. http://host:8080");
            }
        }
        if (a.status() == 404 && nf != null && "not found".equals(errorMessage(a))) {
            throw new CliException(ExitCodes.FAILED, nf.message(), nf.hint());
        }
        throw refusal(method, path, a);
    }

    /** A non-2xx answer as an error: the server's message, and what to do about it. */
    public CliException refusal(String method, String path, Answer a) {
        String msg = errorMessage(a);
        String where = " (HTTP " + a.status() + " from " + method + " " + path.replaceFirst("\\?.*", "") + ")";
        return switch (a.status()) {
            case 401 -> new CliException(ExitCodes.AUTH, "the server refused the token from " + target.tokenSource() + ": " + msg + where,
                    "log in with a valid token: nanofleet login --server " + target.server() + " --token TOKEN "
                            + "(the bootstrap admin token is in the server's <data-dir>/admin-token; admins make more with POST /api/v1/tokens)");
            case 403 -> new CliException(ExitCodes.AUTH, msg + where, "use a token with that role (an admin makes one with POST /api/v1/tokens)");
            default -> {
                if (a.status() == 404 && !a.contentType().contains("json")) {
                    yield new CliException(ExitCodes.UNREACHABLE, method + " " + path + " is not there" + where,
                            "is " + target.server() + " a NanoFleet fleet server? Give its base URL, e.g. http://host:8080");
                }
                yield new CliException(ExitCodes.FAILED, msg + where, a.status() >= 500
                        ? "the server failed; its log has the details (look for the reference in the message)" : null);
            }
        };
    }

    static String errorMessage(Answer a) {
        try {
            JsonNode n = Json.MAPPER.readTree(a.body());
            if (n != null && n.path("error").isTextual()) {
                return n.path("error").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON
        }
        return a.body() == null || a.body().isBlank() ? "HTTP " + a.status() : abbreviate(a.body());
    }

    static String abbreviate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return one.length() > 160 ? one.substring(0, 157) + "..." : one;
    }
}
