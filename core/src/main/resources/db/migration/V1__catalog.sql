-- Tables known to the catalog (what the Glue Data Catalog holds in the original).
CREATE TABLE catalog_tables (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  location TEXT NOT NULL,
  format VARCHAR(32) NOT NULL,
  partition_keys TEXT NOT NULL,
  created_at VARCHAR(40) NOT NULL,
  updated_at VARCHAR(40) NOT NULL
);

-- Columns of each table; a column is added, widened, never dropped.
CREATE TABLE catalog_columns (
  table_name VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  source_name VARCHAR(255) NOT NULL,
  type VARCHAR(32) NOT NULL,
  position INTEGER NOT NULL,
  added_at VARCHAR(40) NOT NULL,
  PRIMARY KEY (table_name, name)
);

-- Partitions found by the crawler, with the size of what they held when crawled.
CREATE TABLE catalog_partitions (
  table_name VARCHAR(255) NOT NULL,
  source VARCHAR(64) NOT NULL,
  path VARCHAR(512) NOT NULL,
  voice_connector_id VARCHAR(255),
  year INTEGER NOT NULL,
  month INTEGER NOT NULL,
  day INTEGER NOT NULL,
  object_count BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  crawled_at VARCHAR(40) NOT NULL,
  PRIMARY KEY (table_name, source, path)
);
CREATE INDEX catalog_partitions_day ON catalog_partitions (table_name, year, month, day);

-- Every schema change the crawler or the ETL made.
CREATE TABLE schema_changes (
  table_name VARCHAR(255) NOT NULL,
  column_name VARCHAR(255) NOT NULL,
  change VARCHAR(16) NOT NULL,
  old_type VARCHAR(32),
  new_type VARCHAR(32) NOT NULL,
  changed_at VARCHAR(40) NOT NULL
);

-- The committed state of each processed day: the pointer that a day commit swaps.
CREATE TABLE processed_days (
  day VARCHAR(10) NOT NULL PRIMARY KEY,
  run_id VARCHAR(64) NOT NULL,
  fingerprint VARCHAR(64) NOT NULL,
  source_objects BIGINT NOT NULL,
  source_bytes BIGINT NOT NULL,
  rows_written BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  processed_at VARCHAR(40) NOT NULL
);

-- The Parquet files that make up each processed day; queries read exactly these.
CREATE TABLE processed_files (
  day VARCHAR(10) NOT NULL,
  file_key VARCHAR(1024) NOT NULL,
  rows_written BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  PRIMARY KEY (day, file_key)
);

-- Rejected raw files of each processed day, replaced with the day.
CREATE TABLE quarantine (
  day VARCHAR(10) NOT NULL,
  source_key VARCHAR(1024) NOT NULL,
  reason TEXT NOT NULL,
  detected_at VARCHAR(40) NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  PRIMARY KEY (day, source_key)
);

-- One row per ETL run, for history and the run summary.
CREATE TABLE etl_runs (
  run_id VARCHAR(64) NOT NULL PRIMARY KEY,
  mode VARCHAR(16) NOT NULL,
  started_at VARCHAR(40) NOT NULL,
  finished_at VARCHAR(40),
  status VARCHAR(16) NOT NULL,
  days_processed INTEGER NOT NULL,
  days_skipped INTEGER NOT NULL,
  files_read BIGINT NOT NULL,
  rows_written BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  bytes_read BIGINT NOT NULL,
  error TEXT
);
