package io.nanofleet.server.models;

import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.store.DeviceRow;
import io.nanofleet.server.store.FleetStore;
import java.util.Optional;

/**
 * Tells a device which model to run: signs a director assignment for it and publishes it (retained) on
 * {@code nf/v1/d/{id}/ota} through {@link Downlinks}. CoAP devices get the same message through
 * the CoAP endpoint's Observe on {@code /v1/d/{id}/ota}.
 */
public final class ModelAssigner {
    private final ModelRepository repo;
    private final Downlinks gateway;
    private final FleetStore store;

    public ModelAssigner(ModelRepository repo, Downlinks gateway, FleetStore store) {
        this.repo = repo;
        this.gateway = gateway;
        this.store = store;
    }

    /** What was sent, and the target (as the image repository lists it) it assigns. */
    public record Assigned(Assignment message, TargetFile target) {
    }

    /** Signs and publishes; returns what was sent. */
    public Assigned assign(String deviceId, String modelName) throws Exception {
        TargetFile target = repo.model(modelName).orElseThrow(() -> new ModelException(ModelException.Reason.UNKNOWN_MODEL,
                "no model named " + modelName + " in the repository"));
        Optional<DeviceRow> device = store.device(deviceId);
        String hardwareId = device.map(DeviceRow::hardwareId).orElse(null);
        Assignment a = repo.assign(deviceId, hardwareId, target);
        gateway.sendAssignment(a);
        return new Assigned(a, target);
    }
}
