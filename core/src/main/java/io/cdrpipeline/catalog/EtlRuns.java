package io.cdrpipeline.catalog;

import static io.cdrpipeline.catalog.CatalogSql.exec;

import io.cdrpipeline.catalog.Catalog.EtlTotals;
import io.cdrpipeline.catalog.Catalog.SucceededRun;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The record of ETL runs (start, end, counts, failure) and the running totals of every run. */
final class EtlRuns {
  private final CatalogSql sql;

  EtlRuns(CatalogSql sql) {
    this.sql = sql;
  }

  /** Records the start of an ETL run. */
  void startRun(String runId, String mode, Instant at) {
    sql.run(
        "INSERT INTO etl_runs (run_id, mode, started_at, status, days_processed, days_skipped, files_read, "
            + "rows_written, rejected, bytes_read) VALUES (?, ?, ?, 'RUNNING', 0, 0, 0, 0, 0, 0)",
        runId,
        mode,
        at.toString());
  }

  /** Records the end of an ETL run. */
  void finishRun(
      String runId,
      String status,
      int daysProcessed,
      int daysSkipped,
      long files,
      long rows,
      long rejected,
      long bytes,
      String error) {
    sql.inTransaction(
        c -> {
          // the totals move by what this run adds to its own counts, so recording an end twice
          // counts it once
          exec(
              c,
              "UPDATE etl_totals SET rows_written = rows_written + ? - (SELECT rows_written FROM etl_runs WHERE run_id = ?), "
                  + "rejected = rejected + ? - (SELECT rejected FROM etl_runs WHERE run_id = ?) "
                  + "WHERE id = 1 AND EXISTS (SELECT 1 FROM etl_runs WHERE run_id = ?)",
              rows,
              runId,
              rejected,
              runId,
              runId);
          return exec(
              c,
              "UPDATE etl_runs SET finished_at = ?, status = ?, days_processed = ?, days_skipped = ?, files_read = ?, "
                  + "rows_written = ?, rejected = ?, bytes_read = ?, error = ? WHERE run_id = ?",
              Instant.now().toString(),
              status,
              daysProcessed,
              daysSkipped,
              files,
              rows,
              rejected,
              bytes,
              error,
              runId);
        });
  }

  /**
   * The rows written and files rejected by every ETL run, from a running total kept as runs end:
   * one row, however many runs there were.
   */
  EtlTotals etlTotals() {
    return sql
        .query(
            "SELECT rows_written, rejected FROM etl_totals WHERE id = 1",
            rs -> new EtlTotals(rs.getLong(1), rs.getLong(2)))
        .stream()
        .findFirst()
        .orElse(new EtlTotals(0, 0));
  }

  /**
   * The ETL runs of a mode ({@code daily} or {@code full}) that succeeded and started at or after
   * {@code from}, newest first.
   */
  List<SucceededRun> succeededRuns(String mode, Instant from) {
    return sql.query(
        "SELECT run_id, started_at, finished_at FROM etl_runs "
            + "WHERE mode = ? AND status = 'SUCCEEDED' AND started_at >= ? ORDER BY started_at DESC",
        rs ->
            new SucceededRun(
                rs.getString(1),
                Instant.parse(rs.getString(2)),
                Optional.ofNullable(rs.getString(3)).map(Instant::parse)),
        mode,
        from.toString());
  }

  /**
   * Records that a run still marked running died (its process is gone: what it staged was found
   * with no holder of the day's lock); a run that ended is left as it ended.
   */
  void markRunDied(String runId, String error) {
    sql.run(
        "UPDATE etl_runs SET finished_at = ?, status = 'FAILED', error = ? WHERE run_id = ? AND status = 'RUNNING'",
        Instant.now().toString(),
        error,
        runId);
  }

  /** The runs known to have failed: their files that no snapshot holds never will. */
  Set<String> failedRuns() {
    return new HashSet<>(
        sql.query("SELECT run_id FROM etl_runs WHERE status = 'FAILED'", rs -> rs.getString(1)));
  }
}
