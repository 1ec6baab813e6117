-- Rollouts of models in waves. The leader instance advances them; any instance accepts operator
-- requests (requested_action), which the leader applies at its next step, so instances never overwrite
-- each other. doc holds the waves, their devices and health figures as JSON (read back by the leader).
CREATE TABLE rollouts (
    rollout_id        VARCHAR(64) PRIMARY KEY,
    model             VARCHAR(255) NOT NULL,
    state             VARCHAR(16) NOT NULL,
    requested_action  VARCHAR(16),
    requested_by      VARCHAR(128),
    doc               TEXT NOT NULL,
    created_ms        BIGINT NOT NULL,
    updated_ms        BIGINT NOT NULL
);
CREATE INDEX rollouts_state ON rollouts (state);

-- Every step a rollout takes, in order: who (operator or engine), what, and why.
CREATE TABLE rollout_steps (
    rollout_id  VARCHAR(64) NOT NULL,
    seq         BIGINT NOT NULL,
    ts_ms       BIGINT NOT NULL,
    actor       VARCHAR(128) NOT NULL,
    step        VARCHAR(32) NOT NULL,
    detail      TEXT,
    PRIMARY KEY (rollout_id, seq)
);
