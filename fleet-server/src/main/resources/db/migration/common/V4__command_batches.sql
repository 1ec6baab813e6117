-- Commands sent to a group or a tag query share a batch id; who sent them and whether they were signed.
ALTER TABLE commands ADD COLUMN batch_id VARCHAR(64);
ALTER TABLE commands ADD COLUMN signed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE commands ADD COLUMN issued_by VARCHAR(128);
ALTER TABLE commands ADD COLUMN arguments TEXT;
CREATE INDEX commands_batch ON commands (batch_id);
