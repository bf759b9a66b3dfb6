-- Alarm firings: one row per time an alarm started firing, kept open (state FIRING) while the
-- alarm keeps firing and closed (state RESOLVED) when it clears. The evidence is JSON: the rule's
-- query and its top rows. Times are ISO-8601 text in UTC, as elsewhere in the catalog.
CREATE TABLE alarm_firings (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  alarm VARCHAR(255) NOT NULL,
  rule VARCHAR(64) NOT NULL,
  state VARCHAR(16) NOT NULL,
  fired_at VARCHAR(40) NOT NULL,
  resolved_at VARCHAR(40),
  window_from VARCHAR(40) NOT NULL,
  window_to VARCHAR(40) NOT NULL,
  connectors TEXT NOT NULL,
  evidence TEXT NOT NULL,
  acknowledged_at VARCHAR(40),
  acknowledged_by VARCHAR(255)
);
-- At most one open firing per alarm: a second evaluator (the daily ETL and a watch batch at once)
-- finds it instead of opening another, so each change is recorded, and told, once.
CREATE UNIQUE INDEX alarm_firings_one_open ON alarm_firings (alarm) WHERE state = 'FIRING';
CREATE INDEX alarm_firings_by_time ON alarm_firings (fired_at);
