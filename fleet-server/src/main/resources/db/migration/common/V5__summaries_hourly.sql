-- Summaries older than the raw retention period are folded into one row per device, channel and hour.
-- mean = sum_value / sample_count; last_value is the value of the latest window folded in (last_end_ms).
CREATE TABLE summaries_hourly (
    device_id      VARCHAR(64) NOT NULL,
    channel        VARCHAR(128) NOT NULL,
    hour_start_ms  BIGINT NOT NULL,
    windows        BIGINT NOT NULL,
    sample_count   BIGINT NOT NULL,
    min_value      DOUBLE PRECISION NOT NULL,
    max_value      DOUBLE PRECISION NOT NULL,
    sum_value      DOUBLE PRECISION NOT NULL,
    last_value     DOUBLE PRECISION NOT NULL,
    last_end_ms    BIGINT NOT NULL,
    PRIMARY KEY (device_id, channel, hour_start_ms)
);
