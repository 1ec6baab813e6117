package io.nanofleet.server.rollout;

/** Decides whether this instance drives rollouts. Exactly one instance should answer true at a time. */
public interface LeaderElection extends AutoCloseable {
    boolean isLeader();

    @Override
    default void close() {}

    /** SQLite: one server per database file, so it is always the leader. */
    static LeaderElection always() {
        return () -> true;
    }
}
