-- Devices, their last known state, telemetry summaries, events and commands.
-- Timestamps are epoch milliseconds. Column types are chosen to mean the same in SQLite and PostgreSQL.

CREATE TABLE devices (
    device_id      VARCHAR(64) PRIMARY KEY,
    online         INTEGER NOT NULL DEFAULT 0,
    first_seen_ms  BIGINT NOT NULL,
    last_seen_ms   BIGINT NOT NULL,
    state_ts_ms    BIGINT,
    agent_version  VARCHAR(64),
    hardware_id    VARCHAR(64),
    channels       TEXT
);

-- One row per channel per uplinked window; (device, sequence, channel) makes redelivery idempotent.
CREATE TABLE summaries (
    device_id        VARCHAR(64) NOT NULL,
    sequence         BIGINT NOT NULL,
    channel          VARCHAR(128) NOT NULL,
    window_start_ms  BIGINT NOT NULL,
    window_end_ms    BIGINT NOT NULL,
    sample_count     BIGINT NOT NULL,
    min_value        DOUBLE PRECISION NOT NULL,
    max_value        DOUBLE PRECISION NOT NULL,
    mean_value       DOUBLE PRECISION NOT NULL,
    last_value       DOUBLE PRECISION NOT NULL,
    received_ms      BIGINT NOT NULL,
    PRIMARY KEY (device_id, sequence, channel)
);
CREATE INDEX summaries_device_time ON summaries (device_id, window_end_ms);

CREATE TABLE events (
    device_id    VARCHAR(64) NOT NULL,
    event_id     VARCHAR(128) NOT NULL,
    sequence     BIGINT NOT NULL,
    event_type   VARCHAR(32) NOT NULL,
    ts_ms        BIGINT NOT NULL,
    received_ms  BIGINT NOT NULL,
    payload      BYTEA NOT NULL,
    PRIMARY KEY (device_id, event_id)
);
CREATE INDEX events_device_time ON events (device_id, ts_ms);

CREATE TABLE commands (
    command_id      VARCHAR(64) PRIMARY KEY,
    device_id       VARCHAR(64) NOT NULL,
    action          VARCHAR(64) NOT NULL,
    issued_ms       BIGINT NOT NULL,
    expires_ms      BIGINT NOT NULL,
    status          VARCHAR(16) NOT NULL,
    result_message  TEXT,
    result_ms       BIGINT
);
CREATE INDEX commands_device ON commands (device_id, issued_ms);
