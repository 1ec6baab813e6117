package io.nanofleet.cli.operator;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import picocli.CommandLine;

/** The fleet server's base URL as the operator may type it: {@code http(s)://host[:port]}, with or without a trailing {@code /} or {@code /api/v1}. */
public final class ServerUrl {
    private ServerUrl() {
    }

    /** Normalised base URL (scheme and host lower-case, no trailing slash, no {@code /api/v1}); a usage error otherwise. */
    public static URI parse(String s, CommandLine cmd) {
        String problem = null;
        URI u = null;
        try {
            u = new URI(s.trim());
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
                problem = "must start with http:// or https://";
            } else if (u.getHost() == null) {
                problem = "has no host";
            } else if (u.getQuery() != null || u.getFragment() != null || u.getUserInfo() != null) {
                problem = "must be a base URL without user, query or fragment";
            } else {
                String path = u.getPath() == null ? "" : u.getPath().replaceAll("/+$", "");
                if (path.endsWith("/api/v1")) {
                    path = path.substring(0, path.length() - "/api/v1".length());
                }
                u = new URI(scheme, null, u.getHost().toLowerCase(Locale.ROOT), u.getPort(), path.isEmpty() ? null : path, null, null);
            }
        } catch (URISyntaxException e) {
            problem = "is not a URL (" + e.getReason() + ")";
        }
        if (problem != null) {
            throw new CommandLine.ParameterException(cmd, "server URL '" + s + "' " + problem + ", e.g. http://127.0.0.1:8080");
        }
        return u;
    }
}
