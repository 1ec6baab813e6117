package io.nanofleet.server.rollout;

/** What the rollout engine does to the fleet (its only output): tell a device which model to run. */
@FunctionalInterface
public interface Assigner {
    void assign(String deviceId, String model) throws Exception;
}
