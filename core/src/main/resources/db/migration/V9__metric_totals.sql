-- Running totals behind /metrics, kept by the writers of executions, events and ETL runs in the
-- same transaction as the rows they count (whichever process writes them), so a scrape reads a
-- few rows however long the history is. Each starts from the history already there.

-- Executions by workflow and status.
CREATE TABLE execution_counts (
  workflow VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  executions BIGINT NOT NULL,
  PRIMARY KEY (workflow, status)
);
INSERT INTO execution_counts (workflow, status, executions)
  SELECT workflow, status, COUNT(*) FROM executions GROUP BY workflow, status;

-- Finished steps (succeeded or failed) by workflow and step, each timed from the step's last
-- start (a retry starts it again); an end with no start of its own is not counted.
CREATE TABLE step_durations (
  workflow VARCHAR(64) NOT NULL,
  step VARCHAR(64) NOT NULL,
  finished BIGINT NOT NULL,
  seconds DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (workflow, step)
);
INSERT INTO step_durations (workflow, step, finished, seconds)
  SELECT x.workflow, en.step, COUNT(*), SUM(${step_seconds})
  FROM execution_events en
  JOIN executions x ON x.id = en.execution_id
  JOIN execution_events st ON st.execution_id = en.execution_id AND st.step = en.step AND st.type = 'STEP_STARTED'
    AND st.seq = (SELECT MAX(s.seq) FROM execution_events s WHERE s.execution_id = en.execution_id
      AND s.step = en.step AND s.type = 'STEP_STARTED' AND s.seq < en.seq)
  WHERE en.type IN ('STEP_SUCCEEDED', 'STEP_FAILED')
    AND NOT EXISTS (SELECT 1 FROM execution_events m WHERE m.execution_id = en.execution_id AND m.step = en.step
      AND m.type IN ('STEP_SUCCEEDED', 'STEP_FAILED') AND m.seq > st.seq AND m.seq < en.seq)
  GROUP BY x.workflow, en.step;

-- Rows written and files rejected by every ETL run: one row.
CREATE TABLE etl_totals (
  id INTEGER NOT NULL PRIMARY KEY,
  rows_written BIGINT NOT NULL,
  rejected BIGINT NOT NULL
);
INSERT INTO etl_totals (id, rows_written, rejected)
  SELECT 1, COALESCE(SUM(rows_written), 0), COALESCE(SUM(rejected), 0) FROM etl_runs;
