package io.nanofleet.server.coap;

import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** Hands an admin a device's CoAP/DTLS pre-shared key, to provision a device that talks CoAP. */
public final class CoapKeyRoutes implements RouteModule {
    private final CoapKeys keys;
    private final int port;

    public CoapKeyRoutes(CoapKeys keys, int port) {
        this.keys = keys;
        this.port = port;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        ctx.routes(router).get("/api/v1/devices/:id/coap-psk", Role.ADMIN,
                "The device's DTLS pre-shared key for CoAP (identity = device id); a secret: provision it like a password",
                rc -> DeviceRoutes.withDevice(rc, id -> ctx.blocking(rc, () -> {
                    ctx.audit().record(ApiContext.principal(rc), "coap.psk-read", id, "");
                    return new JsonObject().put("deviceId", id).put("identity", id).put("psk", keys.pskFor(id))
                            .put("coapPort", port);
                })));
    }
}
