-- The processed table is an Iceberg table: its snapshot says which files make a day. A run's
-- counts, fingerprint and quarantine are staged here before its Iceberg commit and promoted to
-- processed_days and quarantine once the table's snapshot holds the run's files, so the two
-- always end in step, whichever moment a crash takes.
CREATE TABLE staged_days (
  day VARCHAR(10) NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  fingerprint VARCHAR(64) NOT NULL,
  source_objects BIGINT NOT NULL,
  source_bytes BIGINT NOT NULL,
  rows_written BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  staged_at VARCHAR(40) NOT NULL,
  PRIMARY KEY (day, run_id)
);

CREATE TABLE staged_quarantine (
  run_id VARCHAR(64) NOT NULL,
  day VARCHAR(10) NOT NULL,
  source_key VARCHAR(1024) NOT NULL,
  reason TEXT NOT NULL,
  detected_at VARCHAR(40) NOT NULL,
  PRIMARY KEY (run_id, source_key)
);

-- The Iceberg snapshot that made the day what processed_days says it is.
ALTER TABLE processed_days ADD COLUMN snapshot_id BIGINT;
