package io.cdrpipeline.workflow;

import io.cdrpipeline.catalog.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The events of executions (their timeline), numbered in order per execution. */
final class ExecutionEvents {
  private ExecutionEvents() {}

  /** The events of an execution in order. */
  static List<ExecutionEvent> of(Catalog catalog, String id) {
    return catalog.query(
        "SELECT execution_id, seq, at, type, step, detail FROM execution_events WHERE execution_id = ? ORDER BY seq",
        rs ->
            new ExecutionEvent(
                rs.getString(1),
                rs.getInt(2),
                Instant.parse(rs.getString(3)),
                ExecutionEvent.Type.valueOf(rs.getString(4)),
                Optional.ofNullable(rs.getString(5)),
                Optional.ofNullable(rs.getString(6))),
        id);
  }

  static ExecutionEvent of(
      String id, int seq, Instant at, ExecutionEvent.Type type, String step, String detail) {
    return new ExecutionEvent(
        id, seq, at, type, Optional.ofNullable(step), Optional.ofNullable(detail));
  }

  /**
   * Appends an event in the caller's transaction, after adding a step's end to its totals; the
   * event as written, with its sequence number.
   */
  static ExecutionEvent append(
      Connection c, String id, Instant at, ExecutionEvent.Type type, String step, String detail)
      throws SQLException {
    if (step != null
        && (type == ExecutionEvent.Type.STEP_SUCCEEDED
            || type == ExecutionEvent.Type.STEP_FAILED)) {
      ExecutionTotals.stepEnded(c, id, step, at);
    }
    int seq;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM execution_events WHERE execution_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        seq = rs.getInt(1);
      }
    }
    Catalog.exec(
        c,
        "INSERT INTO execution_events (execution_id, seq, at, type, step, detail) VALUES (?, ?, ?, ?, ?, ?)",
        id,
        seq,
        at.toString(),
        type.name(),
        step,
        detail);
    return of(id, seq, at, type, step, detail);
  }
}
