package io.nanofleet.server.api;

import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.store.BatchWriter;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /health}: unauthenticated liveness for load balancers; 503 while the broker is unreachable. */
public final class HealthHandler implements Handler<RoutingContext> {
    private final DeviceGateway gateway;
    private final Downlinks downlinks;
    private final BatchWriter writer;
    private final String brokerMode;

    public HealthHandler(DeviceGateway gateway, Downlinks downlinks, BatchWriter writer, String brokerMode) {
        this.gateway = gateway;
        this.downlinks = downlinks;
        this.writer = writer;
        this.brokerMode = brokerMode;
    }

    @Override
    public void handle(RoutingContext ctx) {
        boolean mqtt = downlinks.isConnected();
        JsonObject body = new JsonObject()
                .put("status", mqtt ? "UP" : "DEGRADED")
                .put("broker", brokerMode)
                .put("mqttConnected", mqtt)
                .put("storeQueueDepth", writer.queueDepth())
                .put("stored", writer.writtenCount())
                .put("storeFailures", writer.failedCount())
                .put("accepted", gateway.counters().acceptedCount())
                .put("rejected", gateway.counters().rejectedTotal());
        ctx.response().setStatusCode(mqtt ? 200 : 503);
        ctx.json(body);
    }
}
