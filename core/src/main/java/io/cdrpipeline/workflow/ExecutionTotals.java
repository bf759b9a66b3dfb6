package io.cdrpipeline.workflow;

import io.cdrpipeline.catalog.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The running totals of executions by workflow and status, and of finished steps and their
 * durations, kept in the same transactions as the writes they count.
 */
final class ExecutionTotals {
  private ExecutionTotals() {}

  static List<ExecutionStore.StatusCount> statusCounts(Catalog catalog) {
    return catalog.query(
        STATUS_COUNTS,
        rs ->
            new ExecutionStore.StatusCount(
                rs.getString(1), ExecutionStatus.valueOf(rs.getString(2)), rs.getLong(3)));
  }

  static List<ExecutionStore.StepTotal> stepTotals(Catalog catalog) {
    return catalog.query(
        STEP_TOTALS,
        rs ->
            new ExecutionStore.StepTotal(
                rs.getString(1), rs.getString(2), rs.getLong(3), rs.getDouble(4)));
  }

  private static final String STATUS_COUNTS =
      "SELECT workflow, status, executions FROM execution_counts";
  private static final String STEP_TOTALS =
      "SELECT workflow, step, finished, seconds FROM step_durations";
  private static final String ADD_COUNT =
      "INSERT INTO execution_counts (workflow, status, executions) "
          + "SELECT workflow, ?, ? FROM executions WHERE id = ? "
          + "ON CONFLICT (workflow, status) DO UPDATE SET executions = execution_counts.executions + excluded.executions";

  /** The step's last start, unless an end took it already. */
  private static final String OPEN_START =
      "SELECT at FROM execution_events WHERE execution_id = ? AND step = ? "
          + "AND type = 'STEP_STARTED' AND seq > (SELECT COALESCE(MAX(seq), 0) FROM execution_events WHERE execution_id = ? "
          + "AND step = ? AND type IN ('STEP_SUCCEEDED', 'STEP_FAILED')) ORDER BY seq DESC LIMIT 1";

  private static final String ADD_STEP =
      "INSERT INTO step_durations (workflow, step, finished, seconds) "
          + "SELECT workflow, ?, 1, ? FROM executions WHERE id = ? "
          + "ON CONFLICT (workflow, step) DO UPDATE SET finished = step_durations.finished + 1, "
          + "seconds = step_durations.seconds + excluded.seconds";

  /** Adds {@code delta} to the executions of the execution's workflow with this status. */
  static void count(Connection c, String id, ExecutionStatus status, int delta)
      throws SQLException {
    Catalog.exec(c, ADD_COUNT, status.name(), delta, id);
  }

  /**
   * Adds a step's end to its totals, timed from the step's open start (if it has one); before the
   * end's own event.
   */
  static void stepEnded(Connection c, String id, String step, Instant at) throws SQLException {
    Instant start = null;
    try (PreparedStatement ps = c.prepareStatement(OPEN_START)) {
      ps.setString(1, id);
      ps.setString(2, step);
      ps.setString(3, id);
      ps.setString(4, step);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          start = Instant.parse(rs.getString(1));
        }
      }
    }
    if (start != null) {
      Catalog.exec(c, ADD_STEP, step, Duration.between(start, at).toNanos() / 1e9, id);
    }
  }
}
