package io.nanofleet.server.identity;

import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiException;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.Role;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.store.DeviceRow;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Optional;

/**
 * {@code DELETE /api/v1/devices/{id}}: removes a device's row and what the broker retains for it (state,
 * assignment), ends its session, and writes the audit log. An enrolled device that is connected (over TLS)
 * is refused with 409 unless {@code ?force=true}: deleting a live, authenticated device is rarely meant.
 * Its certificates stay valid (revoke it first to keep it out); its stored traffic stays.
 */
public final class DeviceRemovalRoutes implements RouteModule {
    private final CertificateRegistry registry;
    private final SessionControl sessions;
    private final Downlinks downlinks;

    public DeviceRemovalRoutes(CertificateRegistry registry, SessionControl sessions, Downlinks downlinks) {
        this.registry = registry;
        this.sessions = sessions;
        this.downlinks = downlinks;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        ctx.routes(router).delete("/api/v1/devices/:id", Role.ADMIN,
                "Delete a device: its row, its retained state and assignment on the broker, its live session",
                rc -> DeviceRoutes.withDevice(rc, id -> ctx.blocking(rc, () -> {
                    Optional<DeviceRow> row = ctx.store().device(id);
                    if (row.isEmpty()) {
                        throw new ApiException(404, "unknown device " + id);
                    }
                    boolean force = "true".equalsIgnoreCase(rc.queryParams().get("force"));
                    boolean connected = sessions.isConnected(id) || row.get().online();
                    if (connected && registry.isEnrolled(id) && !force) {
                        throw new ApiException(409, "device " + id + " is enrolled and connected over TLS; revoke it first, "
                                + "or delete it anyway with ?force=true");
                    }
                    boolean disconnected = sessions.disconnect(id);
                    downlinks.clearRetained(id);
                    ctx.store().deleteDevice(id);
                    ctx.audit().record(ApiContext.principal(rc), "device.delete", "device:" + id, new JsonObject()
                            .put("registration", row.get().registration()).put("force", force).put("disconnected", disconnected)
                            .encode());
                    return new JsonObject().put("deviceId", id).put("deleted", true).put("disconnected", disconnected);
                }))).query("force", "true: delete an enrolled device even while it is connected")
                .response(404, "unknown device").response(409, "an enrolled device is connected; use ?force=true");
    }
}
