-- Workflow executions (what Step Functions keeps for the original's state machines).
CREATE TABLE executions (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  workflow VARCHAR(64) NOT NULL,
  input TEXT NOT NULL,
  input_key VARCHAR(255) NOT NULL,
  status VARCHAR(16) NOT NULL,
  trigger_source VARCHAR(255) NOT NULL,
  started_at VARCHAR(40) NOT NULL,
  ended_at VARCHAR(40),
  deadline VARCHAR(40) NOT NULL,
  next_step INTEGER NOT NULL,
  state TEXT NOT NULL,
  output TEXT,
  error TEXT,
  owner VARCHAR(255),
  heartbeat_at VARCHAR(40),
  stop_requested INTEGER NOT NULL
);
-- At most one running execution per workflow input.
CREATE UNIQUE INDEX executions_one_running ON executions (input_key) WHERE status = 'RUNNING';
CREATE INDEX executions_by_workflow ON executions (workflow, started_at);

-- One event per step transition, in order.
CREATE TABLE execution_events (
  execution_id VARCHAR(64) NOT NULL,
  seq INTEGER NOT NULL,
  at VARCHAR(40) NOT NULL,
  type VARCHAR(64) NOT NULL,
  step VARCHAR(64),
  detail TEXT,
  PRIMARY KEY (execution_id, seq)
);

-- The last fire time each schedule has handled, so a fire missed while down runs once.
CREATE TABLE schedule_runs (
  schedule_name VARCHAR(64) NOT NULL PRIMARY KEY,
  last_fire VARCHAR(40) NOT NULL
);
