-- Device identity: enrollment tokens (hashed, single use), issued certificates (revocable), groups and tags.

ALTER TABLE devices ADD COLUMN group_name VARCHAR(64);
-- 'enrolled' (has a certificate) or 'dev' (first seen on the plain development listener).
ALTER TABLE devices ADD COLUMN registration VARCHAR(16) NOT NULL DEFAULT 'dev';
ALTER TABLE devices ADD COLUMN enrolled_ms BIGINT;

CREATE TABLE device_tags (
    device_id  VARCHAR(64) NOT NULL,
    tag        VARCHAR(64) NOT NULL,
    PRIMARY KEY (device_id, tag)
);
CREATE INDEX device_tags_tag ON device_tags (tag);

CREATE TABLE enrollment_tokens (
    token_hash  VARCHAR(64) PRIMARY KEY,
    device_id   VARCHAR(64) NOT NULL,
    group_name  VARCHAR(64),
    tags        TEXT,
    created_ms  BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    used_ms     BIGINT,
    created_by  VARCHAR(128) NOT NULL
);

CREATE TABLE certificates (
    serial        VARCHAR(64) PRIMARY KEY,
    device_id     VARCHAR(64) NOT NULL,
    issued_ms     BIGINT NOT NULL,
    not_after_ms  BIGINT NOT NULL,
    revoked_ms    BIGINT,
    pem           TEXT NOT NULL
);
CREATE INDEX certificates_device ON certificates (device_id);
