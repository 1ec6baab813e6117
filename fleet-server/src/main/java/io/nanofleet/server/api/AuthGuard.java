package io.nanofleet.server.api;

import io.nanofleet.server.api.auth.ApiTokens;
import io.nanofleet.server.api.auth.Principal;
import io.nanofleet.server.api.auth.Role;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** Checks {@code Authorization: Bearer <token>} and the token's role before a route's handler runs. */
public final class AuthGuard {
    /** Where refusals are counted (metrics); reasons are a small fixed set. */
    public interface Rejects {
        void rejected(String reason);
    }

    private final Vertx vertx;
    private final ApiTokens tokens;
    private final Rejects rejects;

    AuthGuard(Vertx vertx, ApiTokens tokens, Rejects rejects) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.rejects = rejects;
    }

    Handler<RoutingContext> require(Role role) {
        return rc -> check(rc, role, false);
    }

    /**
     * The same check for a route whose body is read after it (uploads): the request is paused until the
     * token is known, so no body byte is read or spooled for a caller that is refused; a refusal answers
     * from the headers alone and closes the connection instead of reading the rest of the request.
     */
    Handler<RoutingContext> requireBeforeBody(Role role) {
        return rc -> {
            if (!rc.request().isEnded()) {
                rc.request().pause();
            }
            check(rc, role, true);
        };
    }

    private void check(RoutingContext rc, Role role, boolean close) {
        String header = rc.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refuse(rc, 401, "missing_token", needs(role) + ": send 'Authorization: Bearer <token>' "
                    + "(the bootstrap admin token is in <data-dir>/admin-token)", close);
            return;
        }
        String token = header.substring(7).trim();
        Optional<Principal> hit = tokens.cached(token);
        if (hit != null) {
            decide(rc, hit, role, close);
            return;
        }
        vertx.executeBlocking(() -> tokens.lookup(token), false).onComplete(ar -> {
            if (ar.failed()) {
                if (close) {
                    ApiContext.closeAfter(rc);
                }
                ApiContext.error(rc, 500, "token check failed: " + ar.cause().getMessage());
            } else {
                decide(rc, ar.result(), role, close);
            }
        });
    }

    private void decide(RoutingContext rc, Optional<Principal> principal, Role role, boolean close) {
        if (principal.isEmpty()) {
            refuse(rc, 401, "invalid_token", "unknown or revoked API token; " + needs(role), close);
        } else if (!principal.get().role().includes(role)) {
            refuse(rc, 403, "forbidden", "this route needs the " + role.wireName() + " role; your token '"
                    + principal.get().name() + "' has " + principal.get().role().wireName(), close);
        } else {
            rc.put(ApiContext.PRINCIPAL_KEY, principal.get());
            rc.next();
        }
    }

    /** What a 401 tells the caller: the role the route needs. */
    static String needs(Role role) {
        return "this route needs a bearer token with role " + role.wireName() + (role == Role.ADMIN ? "" : " or higher");
    }

    private void refuse(RoutingContext rc, int status, String reason, String message, boolean close) {
        rejects.rejected(reason);
        if (close) {
            ApiContext.closeAfter(rc);
        }
        ApiContext.error(rc, status, message);
    }
}
