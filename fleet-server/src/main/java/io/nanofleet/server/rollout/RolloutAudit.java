package io.nanofleet.server.rollout;

/** Where rollout steps are recorded besides the rollout's own step list: the server's audit log. */
@FunctionalInterface
public interface RolloutAudit {
    void record(String actor, String action, String target, String detail) throws Exception;

    RolloutAudit NONE = (actor, action, target, detail) -> { };
}
