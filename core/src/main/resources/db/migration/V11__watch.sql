-- cdr watch appends the raw objects of today (and of yesterday until the daily ETL has replaced it)
-- that the table does not hold yet, one Iceberg append per poll (a batch). A batch is staged here
-- (its keys, its quarantine, the files it wrote) before its commit; its snapshot's summary names
-- it (cdr.watch-batch), so a watch that died between the two tells from the table whether the
-- batch committed: promoted if it did, its keys forgotten if not. seq numbers batches in commit
-- order, so a running watch reads only the keys of batches committed since it last looked.
CREATE TABLE watch_batches (
  batch_id VARCHAR(64) NOT NULL PRIMARY KEY,
  seq BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  started_at VARCHAR(40) NOT NULL,
  committed_at VARCHAR(40),
  days VARCHAR(64) NOT NULL,
  objects BIGINT NOT NULL,
  rows_written BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  digest VARCHAR(64) NOT NULL,
  snapshot_id BIGINT,
  files TEXT NOT NULL
);
CREATE INDEX watch_batches_seq ON watch_batches (seq);

-- The raw objects a batch took (read into rows or quarantined), per day: what the next poll skips.
-- A day's keys go once the daily ETL has replaced the day.
CREATE TABLE watch_keys (
  day VARCHAR(10) NOT NULL,
  source INTEGER NOT NULL,
  object_key VARCHAR(1024) NOT NULL,
  batch_id VARCHAR(64) NOT NULL,
  PRIMARY KEY (day, source, object_key)
);
CREATE INDEX watch_keys_batch ON watch_keys (batch_id);

-- The files a batch quarantined, moved to quarantine when the batch is promoted.
CREATE TABLE watch_quarantine (
  batch_id VARCHAR(64) NOT NULL,
  day VARCHAR(10) NOT NULL,
  source_key VARCHAR(1024) NOT NULL,
  reason TEXT NOT NULL,
  detected_at VARCHAR(40) NOT NULL,
  PRIMARY KEY (batch_id, source_key)
);
