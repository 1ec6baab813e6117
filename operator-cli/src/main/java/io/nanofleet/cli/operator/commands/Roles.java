package io.nanofleet.cli.operator.commands;

import io.nanofleet.cli.operator.ApiClient;

/**
 * The token's role. The API has no "who am I" route, so the role is inferred from which routes answer:
 * {@code GET /api/v1/audit?limit=1} needs admin, {@code GET /api/v1/tuf/online-keys} needs operator, and any
 * valid token is at least a viewer. Both are read-only; a refused probe is counted by the server like any
 * refused request ({@code nanofleet_rejected_total{source="api",reason="forbidden"}}).
 */
final class Roles {
    private Roles() {
    }

    /** "admin", "operator", "viewer", or "unknown" when a probe answers something else (an older server). */
    static String probe(ApiClient api) {
        String audit = "/api/v1/audit?limit=1";
        ApiClient.Answer a = api.probe(audit);
        if (a.status() == 200) {
            return "admin";
        }
        if (a.status() == 401) {
            throw api.refusal("GET", audit, a);
        }
        if (a.status() != 403) {
            return "unknown";
        }
        ApiClient.Answer b = api.probe("/api/v1/tuf/online-keys");
        return b.status() == 200 ? "operator" : b.status() == 403 ? "viewer" : "unknown";
    }
}
