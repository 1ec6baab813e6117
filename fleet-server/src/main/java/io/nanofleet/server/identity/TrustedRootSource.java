package io.nanofleet.server.identity;

import io.vertx.core.json.JsonObject;

/**
 * Supplies the TUF root.json of the fleet's image repository for enrollment answers. The models
 * module registers one in the ApiContext; until then enrollment answers {@code "trustedRoot":{}}.
 */
public interface TrustedRootSource {
    /** Why enrollment answers 503 while the update channel has no root (offline keys, before an admin uploads it). */
    String NO_ROOT = "the update channel has no trusted root yet: an admin uploads one (see fleet-server/README.md, 'Offline keys')";

    /** The newest root, or null while there is none: enrollment then refuses (devices must get a trusted root). */
    JsonObject trustedRoot() throws Exception;
}
