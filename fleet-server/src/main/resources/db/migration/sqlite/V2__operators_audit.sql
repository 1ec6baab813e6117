-- Operator API tokens (only a SHA-256 of the secret is kept) and the append-only audit log.

CREATE TABLE api_tokens (
    token_id    VARCHAR(64) PRIMARY KEY,
    name        VARCHAR(128) NOT NULL,
    role        VARCHAR(16) NOT NULL,
    token_hash  VARCHAR(64) NOT NULL UNIQUE,
    created_ms  BIGINT NOT NULL,
    revoked_ms  BIGINT
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms     BIGINT NOT NULL,
    actor     VARCHAR(128) NOT NULL,
    actor_id  VARCHAR(64) NOT NULL,
    action    VARCHAR(64) NOT NULL,
    target    VARCHAR(256),
    detail    TEXT
);
CREATE INDEX audit_log_target ON audit_log (target, id);

-- Append-only, enforced by the database and not just by the code above it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
