package io.cdrpipeline.catalog;

import static io.cdrpipeline.catalog.CatalogSql.exec;

import io.cdrpipeline.catalog.Catalog.StagedRun;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The committed state of every processed day: a run's outcome staged, then promoted with its files
 * and quarantine in one transaction, or discarded; days forgotten when the table no longer holds
 * them.
 */
final class ProcessedDays {
  private final CatalogSql sql;

  ProcessedDays(CatalogSql sql) {
    this.sql = sql;
  }

  /** The committed state of a day, if it was ever processed. */
  Optional<ProcessedDay> processedDay(LocalDate day) {
    List<ProcessedDay> days = processedDays(day.toString());
    return days.isEmpty() ? Optional.empty() : Optional.of(days.get(0));
  }

  /** Every processed day, oldest first, with its files. */
  List<ProcessedDay> processedDays() {
    return processedDays(null);
  }

  private List<ProcessedDay> processedDays(String onlyDay) {
    String where = onlyDay == null ? "" : " WHERE day = ?";
    Object[] args = onlyDay == null ? new Object[0] : new Object[] {onlyDay};
    Map<String, List<ProcessedDay.ProcessedFile>> files = new LinkedHashMap<>();
    for (Object[] f :
        sql.query(
            "SELECT day, file_key, rows_written, bytes FROM processed_files"
                + where
                + " ORDER BY day, file_key",
            rs ->
                new Object[] {
                  rs.getString(1),
                  new ProcessedDay.ProcessedFile(rs.getString(2), rs.getLong(3), rs.getLong(4))
                },
            args)) {
      files
          .computeIfAbsent((String) f[0], k -> new ArrayList<>())
          .add((ProcessedDay.ProcessedFile) f[1]);
    }
    return sql.query(
        "SELECT day, run_id, fingerprint, source_objects, source_bytes, rows_written, rejected, processed_at "
            + "FROM processed_days"
            + where
            + " ORDER BY day",
        rs ->
            new ProcessedDay(
                LocalDate.parse(rs.getString(1)),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getLong(7),
                Instant.parse(rs.getString(8)),
                List.copyOf(files.getOrDefault(rs.getString(1), List.of()))),
        args);
  }

  /**
   * Stages a run's outcome of a day: its counts, fingerprint and rejected files, kept aside until
   * {@link #promoteDay} makes them the day's. Staging again under the same run replaces it.
   */
  void stageDay(DayCommit commit) {
    String day = commit.day().toString();
    sql.inTransaction(
        c -> {
          exec(c, "DELETE FROM staged_quarantine WHERE run_id = ?", commit.runId());
          exec(c, "DELETE FROM staged_days WHERE day = ? AND run_id = ?", day, commit.runId());
          exec(
              c,
              "INSERT INTO staged_days (day, run_id, fingerprint, source_objects, source_bytes, rows_written, rejected, "
                  + "staged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              day,
              commit.runId(),
              commit.fingerprint(),
              commit.sourceObjects(),
              commit.sourceBytes(),
              commit.rowsWritten(),
              commit.rejected(),
              commit.at().toString());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO staged_quarantine (run_id, day, source_key, reason, detected_at) VALUES (?, ?, ?, ?, ?) "
                      + "ON CONFLICT (run_id, source_key) DO UPDATE SET reason = excluded.reason")) {
            int[] n = {0};
            try {
              commit
                  .rejections()
                  .forEach(
                      (key, reason) -> {
                        try {
                          ps.setString(1, commit.runId());
                          ps.setString(2, day);
                          ps.setString(3, key);
                          ps.setString(4, reason);
                          ps.setString(5, commit.at().toString());
                          ps.addBatch();
                          if (++n[0] % 5000 == 0) {
                            ps.executeBatch();
                          }
                        } catch (SQLException e) {
                          throw new CatalogException(
                              "cannot record a rejected file: " + e.getMessage(), e);
                        }
                      });
            } catch (IOException e) {
              throw new SQLException(
                  "cannot read the rejected files of " + day + ": " + e.getMessage(), e);
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /**
   * Makes a staged run the day's state in one transaction: its counts, fingerprint, the snapshot
   * that holds its files, the files themselves (as the table lists them) and its quarantine.
   * Nothing happens when the run is not staged (promoted already).
   */
  void promoteDay(
      LocalDate date, String runId, long snapshotId, List<ProcessedDay.ProcessedFile> files) {
    String day = date.toString();
    sql.inTransaction(
        c -> {
          int staged =
              exec(
                  c,
                  "INSERT INTO processed_days (day, run_id, fingerprint, source_objects, source_bytes, rows_written, rejected, "
                      + "processed_at, snapshot_id) SELECT day, run_id, fingerprint, source_objects, source_bytes, rows_written, "
                      + "rejected, staged_at, ? FROM staged_days WHERE day = ? AND run_id = ? "
                      + "ON CONFLICT (day) DO UPDATE SET run_id = excluded.run_id, fingerprint = excluded.fingerprint, "
                      + "source_objects = excluded.source_objects, source_bytes = excluded.source_bytes, "
                      + "rows_written = excluded.rows_written, rejected = excluded.rejected, "
                      + "processed_at = excluded.processed_at, snapshot_id = excluded.snapshot_id",
                  snapshotId,
                  day,
                  runId);
          if (staged == 0) {
            return null;
          }
          exec(c, "DELETE FROM processed_files WHERE day = ?", day);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO processed_files (day, file_key, rows_written, bytes) VALUES (?, ?, ?, ?)")) {
            for (ProcessedDay.ProcessedFile f : files) {
              ps.setString(1, day);
              ps.setString(2, f.key());
              ps.setLong(3, f.rows());
              ps.setLong(4, f.bytes());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          exec(c, "DELETE FROM quarantine WHERE day = ?", day);
          exec(
              c,
              "INSERT INTO quarantine (day, source_key, reason, detected_at, run_id) SELECT day, source_key, reason, "
                  + "detected_at, run_id FROM staged_quarantine WHERE run_id = ? AND day = ?",
              runId,
              day);
          exec(c, "DELETE FROM staged_quarantine WHERE run_id = ?", runId);
          exec(c, "DELETE FROM staged_days WHERE day = ? AND run_id = ?", day, runId);
          return null;
        });
  }

  /** Forgets a staged run whose files never reached the table. */
  void discardStaged(LocalDate date, String runId) {
    sql.inTransaction(
        c -> {
          exec(c, "DELETE FROM staged_quarantine WHERE run_id = ?", runId);
          exec(c, "DELETE FROM staged_days WHERE day = ? AND run_id = ?", date.toString(), runId);
          return null;
        });
  }

  /**
   * Forgets a day the table no longer holds (dropped): its committed state, files, quarantine,
   * anything staged for it, and its partition of {@code processedTable}, in one transaction.
   */
  void forgetDay(LocalDate date, String processedTable) {
    String day = date.toString();
    sql.inTransaction(
        c -> {
          exec(c, "DELETE FROM processed_files WHERE day = ?", day);
          exec(c, "DELETE FROM processed_days WHERE day = ?", day);
          exec(c, "DELETE FROM quarantine WHERE day = ?", day);
          exec(c, "DELETE FROM staged_quarantine WHERE day = ?", day);
          exec(c, "DELETE FROM staged_days WHERE day = ?", day);
          exec(
              c,
              "DELETE FROM catalog_partitions WHERE table_name = ? AND year = ? AND month = ? AND day = ?",
              processedTable,
              date.getYear(),
              date.getMonthValue(),
              date.getDayOfMonth());
          return null;
        });
  }

  /** The staged runs, oldest first. */
  List<StagedRun> stagedRuns() {
    return sql.query(
        "SELECT day, run_id, staged_at FROM staged_days ORDER BY staged_at, day",
        rs ->
            new StagedRun(
                LocalDate.parse(rs.getString(1)), rs.getString(2), Instant.parse(rs.getString(3))));
  }

  /** Rejected files, of one day or (empty) of all days, by day then key. */
  List<QuarantinedFile> quarantine(Optional<LocalDate> day) {
    String sql =
        "SELECT day, source_key, reason, detected_at FROM quarantine"
            + (day.isPresent() ? " WHERE day = ?" : "")
            + " ORDER BY day, source_key";
    Object[] args = day.map(d -> new Object[] {d.toString()}).orElse(new Object[0]);
    return this.sql.query(
        sql,
        rs ->
            new QuarantinedFile(
                LocalDate.parse(rs.getString(1)),
                rs.getString(2),
                rs.getString(3),
                Instant.parse(rs.getString(4))),
        args);
  }

  /**
   * Forgets what the catalog knows of days the table no longer holds as recorded (a table rolled
   * back): their counts, fingerprint, files and quarantine, so the next run processes them again
   * instead of skipping them as unchanged.
   */
  void forgetDays(Collection<LocalDate> days) {
    sql.inTransaction(
        c -> {
          for (LocalDate d : days) {
            exec(c, "DELETE FROM processed_files WHERE day = ?", d.toString());
            exec(c, "DELETE FROM quarantine WHERE day = ?", d.toString());
            exec(c, "DELETE FROM processed_days WHERE day = ?", d.toString());
          }
          return null;
        });
  }
}
