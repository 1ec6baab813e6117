package io.nanofleet.server.identity;

import io.vertx.core.json.JsonObject;

/**
 * Supplies the TUF root.json of the fleet's image repository for enrollment answers. The models
 * module registers one in the ApiContext; until then enrollment answers {@code "trustedRoot":{}}.
 */
public interface TrustedRootSource {
    JsonObject trustedRoot() throws Exception;
}
