package io.cdrpipeline.catalog;

import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The data catalog: tables, their columns and partitions (what the crawlers find), and the
 * committed state of every processed day (what the ETL writes and queries read).
 */
public final class Catalog {
  private final Database db;

  public Catalog(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  public Database database() {
    return db;
  }

  // ---------------------------------------------------------------- tables and columns

  /** Registers a table, or updates its location, format and partition keys. */
  public void ensureTable(CatalogTable table) {
    String now = Instant.now().toString();
    run(
        "INSERT INTO catalog_tables (name, location, format, partition_keys, created_at, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET location = excluded.location, "
            + "format = excluded.format, partition_keys = excluded.partition_keys, updated_at = excluded.updated_at",
        table.name(), table.location(), table.format(), String.join(",", table.partitionKeys()), now, now);
  }

  /** The table with this name, if registered. */
  public Optional<CatalogTable> table(String name) {
    return query(
            "SELECT name, location, format, partition_keys FROM catalog_tables WHERE name = ?",
            rs -> new CatalogTable(
                rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4).isEmpty() ? List.of() : Arrays.asList(rs.getString(4).split(","))),
            name)
        .stream()
        .findFirst();
  }

  /** The columns of a table in position order; empty if the table has none yet. */
  public List<CatalogColumn> columns(String table) {
    return query(
        "SELECT name, source_name, type, position FROM catalog_columns WHERE table_name = ? ORDER BY position",
        rs -> new CatalogColumn(rs.getString(1), rs.getString(2), ColumnType.valueOf(rs.getString(3)), rs.getInt(4)),
        table);
  }

  /**
   * Adds the observed columns a table lacks and widens those whose type conflicts; never drops.
   * Returns the changes, which are also logged and recorded.
   */
  public List<SchemaChange> mergeColumns(String table, List<CatalogColumn> observed) {
    return inTransaction(c -> {
      Map<String, CatalogColumn> existing = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, source_name, type, position FROM catalog_columns WHERE table_name = ?")) {
        ps.setString(1, table);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            existing.put(rs.getString(1),
                new CatalogColumn(rs.getString(1), rs.getString(2), ColumnType.valueOf(rs.getString(3)), rs.getInt(4)));
          }
        }
      }
      int next = existing.values().stream().mapToInt(CatalogColumn::position).max().orElse(-1) + 1;
      Instant now = Instant.now();
      List<SchemaChange> changes = new ArrayList<>();
      for (CatalogColumn col : observed) {
        CatalogColumn old = existing.get(col.name());
        if (old == null) {
          exec(c, "INSERT INTO catalog_columns (table_name, name, source_name, type, position, added_at) VALUES (?, ?, ?, ?, ?, ?)",
              table, col.name(), col.sourceName(), col.type().name(), next, now.toString());
          CatalogColumn added = new CatalogColumn(col.name(), col.sourceName(), col.type(), next++);
          existing.put(col.name(), added);
          changes.add(new SchemaChange(table, col.name(), SchemaChange.Kind.ADDED, null, col.type(), now));
        } else {
          ColumnType widened = old.type().widen(col.type());
          if (widened != old.type()) {
            exec(c, "UPDATE catalog_columns SET type = ? WHERE table_name = ? AND name = ?",
                widened.name(), table, col.name());
            existing.put(col.name(), new CatalogColumn(old.name(), old.sourceName(), widened, old.position()));
            changes.add(new SchemaChange(table, col.name(), SchemaChange.Kind.WIDENED, old.type(), widened, now));
          }
        }
      }
      for (SchemaChange ch : changes) {
        exec(c, "INSERT INTO schema_changes (table_name, column_name, change, old_type, new_type, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
            ch.table(), ch.column(), ch.kind().name(), ch.oldType() == null ? null : ch.oldType().name(),
            ch.newType().name(), now.toString());
      }
      return changes;
    });
  }

  /**
   * Replaces a column by another name and field name, keeping its place; when the table already
   * has a column of that name, the two become one (of the wider type). A null replacement
   * removes the column. For names an older version gave that the tables cannot have.
   */
  public void replaceColumn(String table, String name, CatalogColumn replacement) {
    inTransaction(c -> {
      CatalogColumn old = null;
      CatalogColumn target = null;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT name, source_name, type, position FROM catalog_columns WHERE table_name = ? AND name IN (?, ?)")) {
        ps.setString(1, table);
        ps.setString(2, name);
        ps.setString(3, replacement == null ? name : replacement.name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            CatalogColumn col = new CatalogColumn(rs.getString(1), rs.getString(2), ColumnType.valueOf(rs.getString(3)),
                rs.getInt(4));
            if (col.name().equals(name)) {
              old = col;
            }
            if (replacement != null && col.name().equals(replacement.name())) {
              target = col;
            }
          }
        }
      }
      if (old == null) {
        return null;
      }
      if (replacement == null) {
        exec(c, "DELETE FROM catalog_columns WHERE table_name = ? AND name = ?", table, name);
      } else if (target != null && !target.name().equals(name)) {
        exec(c, "DELETE FROM catalog_columns WHERE table_name = ? AND name = ?", table, name);
        exec(c, "UPDATE catalog_columns SET type = ? WHERE table_name = ? AND name = ?",
            target.type().widen(replacement.type()).name(), table, target.name());
      } else {
        exec(c, "UPDATE catalog_columns SET name = ?, source_name = ?, type = ? WHERE table_name = ? AND name = ?",
            replacement.name(), replacement.sourceName(), replacement.type().name(), table, name);
      }
      return null;
    });
  }

  /** Every recorded schema change of a table, oldest first. */
  public List<SchemaChange> schemaChanges(String table) {
    return query(
        "SELECT table_name, column_name, change, old_type, new_type, changed_at FROM schema_changes "
            + "WHERE table_name = ? ORDER BY changed_at",
        rs -> new SchemaChange(rs.getString(1), rs.getString(2), SchemaChange.Kind.valueOf(rs.getString(3)),
            rs.getString(4) == null ? null : ColumnType.valueOf(rs.getString(4)),
            ColumnType.valueOf(rs.getString(5)), Instant.parse(rs.getString(6))),
        table);
  }

  // ---------------------------------------------------------------- partitions

  /** Registers partitions, replacing the counts of those already known. */
  public void upsertPartitions(List<Partition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO catalog_partitions (table_name, source, path, voice_connector_id, year, month, day, "
              + "object_count, bytes, crawled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              + "ON CONFLICT (table_name, source, path) DO UPDATE SET object_count = excluded.object_count, "
              + "bytes = excluded.bytes, crawled_at = excluded.crawled_at")) {
        for (Partition p : partitions) {
          ps.setString(1, p.table());
          ps.setString(2, p.source());
          ps.setString(3, p.path());
          ps.setString(4, p.voiceConnectorId());
          ps.setInt(5, p.date().getYear());
          ps.setInt(6, p.date().getMonthValue());
          ps.setInt(7, p.date().getDayOfMonth());
          ps.setLong(8, p.objectCount());
          ps.setLong(9, p.bytes());
          ps.setString(10, p.crawledAt().toString());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /** Removes partitions of a table found in one source bucket. */
  public void removePartitions(String table, String source, Set<String> paths) {
    if (paths.isEmpty()) {
      return;
    }
    inTransaction(c -> {
      for (String path : paths) {
        exec(c, "DELETE FROM catalog_partitions WHERE table_name = ? AND source = ? AND path = ?", table, source, path);
      }
      return null;
    });
  }

  /** The partitions of a table, by date then path. */
  public List<Partition> partitions(String table) {
    return query(
        "SELECT table_name, source, path, voice_connector_id, year, month, day, object_count, bytes, crawled_at "
            + "FROM catalog_partitions WHERE table_name = ? ORDER BY year, month, day, source, path",
        Catalog::partition, table);
  }

  /** The partitions of a table found in one source bucket. */
  public List<Partition> partitions(String table, String source) {
    return query(
        "SELECT table_name, source, path, voice_connector_id, year, month, day, object_count, bytes, crawled_at "
            + "FROM catalog_partitions WHERE table_name = ? AND source = ? ORDER BY year, month, day, path",
        Catalog::partition, table, source);
  }

  /** The latest partition date per voice connector (null key for tables without connectors). */
  public Map<String, LocalDate> latestPartitionDates(String table, String source) {
    Map<String, LocalDate> latest = new LinkedHashMap<>();
    for (Object[] row : query(
        "SELECT voice_connector_id, MAX(year * 10000 + month * 100 + day) FROM catalog_partitions "
            + "WHERE table_name = ? AND source = ? GROUP BY voice_connector_id",
        rs -> new Object[] {rs.getString(1), rs.getLong(2)}, table, source)) {
      long v = (Long) row[1];
      latest.put((String) row[0], LocalDate.of((int) (v / 10000), (int) (v / 100 % 100), (int) (v % 100)));
    }
    return latest;
  }

  /** The paths of a table's partitions from one source. */
  public Set<String> partitionPaths(String table, String source) {
    return new HashSet<>(query(
        "SELECT path FROM catalog_partitions WHERE table_name = ? AND source = ?",
        rs -> rs.getString(1), table, source));
  }

  private static Partition partition(ResultSet rs) throws SQLException {
    return new Partition(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
        LocalDate.of(rs.getInt(5), rs.getInt(6), rs.getInt(7)), rs.getLong(8), rs.getLong(9),
        Instant.parse(rs.getString(10)));
  }

  // ---------------------------------------------------------------- processed days

  /** The committed state of a day, if it was ever processed. */
  public Optional<ProcessedDay> processedDay(LocalDate day) {
    List<ProcessedDay> days = processedDays(day.toString());
    return days.isEmpty() ? Optional.empty() : Optional.of(days.get(0));
  }

  /** Every processed day, oldest first, with its files. */
  public List<ProcessedDay> processedDays() {
    return processedDays(null);
  }

  private List<ProcessedDay> processedDays(String onlyDay) {
    String where = onlyDay == null ? "" : " WHERE day = ?";
    Object[] args = onlyDay == null ? new Object[0] : new Object[] {onlyDay};
    Map<String, List<ProcessedDay.ProcessedFile>> files = new LinkedHashMap<>();
    for (Object[] f : query("SELECT day, file_key, rows_written, bytes FROM processed_files" + where + " ORDER BY day, file_key",
        rs -> new Object[] {rs.getString(1), new ProcessedDay.ProcessedFile(rs.getString(2), rs.getLong(3), rs.getLong(4))},
        args)) {
      files.computeIfAbsent((String) f[0], k -> new ArrayList<>()).add((ProcessedDay.ProcessedFile) f[1]);
    }
    return query(
        "SELECT day, run_id, fingerprint, source_objects, source_bytes, rows_written, rejected, processed_at "
            + "FROM processed_days" + where + " ORDER BY day",
        rs -> new ProcessedDay(LocalDate.parse(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getLong(4),
            rs.getLong(5), rs.getLong(6), rs.getLong(7), Instant.parse(rs.getString(8)),
            List.copyOf(files.getOrDefault(rs.getString(1), List.of()))),
        args);
  }

  /**
   * Stages a run's outcome of a day: its counts, fingerprint and rejected files, kept aside until
   * {@link #promoteDay} makes them the day's. Staging again under the same run replaces it.
   */
  public void stageDay(DayCommit commit) {
    String day = commit.day().toString();
    inTransaction(c -> {
      exec(c, "DELETE FROM staged_quarantine WHERE run_id = ?", commit.runId());
      exec(c, "DELETE FROM staged_days WHERE day = ? AND run_id = ?", day, commit.runId());
      exec(c, "INSERT INTO staged_days (day, run_id, fingerprint, source_objects, source_bytes, rows_written, rejected, "
              + "staged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          day, commit.runId(), commit.fingerprint(), commit.sourceObjects(), commit.sourceBytes(), commit.rowsWritten(),
          commit.rejected(), commit.at().toString());
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO staged_quarantine (run_id, day, source_key, reason, detected_at) VALUES (?, ?, ?, ?, ?) "
              + "ON CONFLICT (run_id, source_key) DO UPDATE SET reason = excluded.reason")) {
        int[] n = {0};
        try {
          commit.rejections().forEach((key, reason) -> {
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
              throw new CatalogException("cannot record a rejected file: " + e.getMessage(), e);
            }
          });
        } catch (java.io.IOException e) {
          throw new SQLException("cannot read the rejected files of " + day + ": " + e.getMessage(), e);
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
  public void promoteDay(LocalDate date, String runId, long snapshotId, List<ProcessedDay.ProcessedFile> files) {
    String day = date.toString();
    inTransaction(c -> {
      int staged = exec(c,
          "INSERT INTO processed_days (day, run_id, fingerprint, source_objects, source_bytes, rows_written, rejected, "
              + "processed_at, snapshot_id) SELECT day, run_id, fingerprint, source_objects, source_bytes, rows_written, "
              + "rejected, staged_at, ? FROM staged_days WHERE day = ? AND run_id = ? "
              + "ON CONFLICT (day) DO UPDATE SET run_id = excluded.run_id, fingerprint = excluded.fingerprint, "
              + "source_objects = excluded.source_objects, source_bytes = excluded.source_bytes, "
              + "rows_written = excluded.rows_written, rejected = excluded.rejected, "
              + "processed_at = excluded.processed_at, snapshot_id = excluded.snapshot_id",
          snapshotId, day, runId);
      if (staged == 0) {
        return null;
      }
      exec(c, "DELETE FROM processed_files WHERE day = ?", day);
      try (PreparedStatement ps = c.prepareStatement(
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
      exec(c, "INSERT INTO quarantine (day, source_key, reason, detected_at, run_id) SELECT day, source_key, reason, "
          + "detected_at, run_id FROM staged_quarantine WHERE run_id = ? AND day = ?", runId, day);
      exec(c, "DELETE FROM staged_quarantine WHERE run_id = ?", runId);
      exec(c, "DELETE FROM staged_days WHERE day = ? AND run_id = ?", day, runId);
      return null;
    });
  }

  /** Forgets a staged run whose files never reached the table. */
  public void discardStaged(LocalDate date, String runId) {
    inTransaction(c -> {
      exec(c, "DELETE FROM staged_quarantine WHERE run_id = ?", runId);
      exec(c, "DELETE FROM staged_days WHERE day = ? AND run_id = ?", date.toString(), runId);
      return null;
    });
  }

  /**
   * Forgets a day the table no longer holds (dropped): its committed state, files, quarantine,
   * anything staged for it, and its partition of {@code processedTable}, in one transaction.
   */
  public void forgetDay(LocalDate date, String processedTable) {
    String day = date.toString();
    inTransaction(c -> {
      exec(c, "DELETE FROM processed_files WHERE day = ?", day);
      exec(c, "DELETE FROM processed_days WHERE day = ?", day);
      exec(c, "DELETE FROM quarantine WHERE day = ?", day);
      exec(c, "DELETE FROM staged_quarantine WHERE day = ?", day);
      exec(c, "DELETE FROM staged_days WHERE day = ?", day);
      exec(c, "DELETE FROM catalog_partitions WHERE table_name = ? AND year = ? AND month = ? AND day = ?",
          processedTable, date.getYear(), date.getMonthValue(), date.getDayOfMonth());
      return null;
    });
  }

  /** A run staged for a day and not yet promoted or discarded. */
  public record StagedRun(LocalDate day, String runId, Instant stagedAt) {}

  /** The staged runs, oldest first. */
  public List<StagedRun> stagedRuns() {
    return query("SELECT day, run_id, staged_at FROM staged_days ORDER BY staged_at, day",
        rs -> new StagedRun(LocalDate.parse(rs.getString(1)), rs.getString(2), Instant.parse(rs.getString(3))));
  }

  /** Rejected files, of one day or (empty) of all days, by day then key. */
  public List<QuarantinedFile> quarantine(Optional<LocalDate> day) {
    String sql = "SELECT day, source_key, reason, detected_at FROM quarantine"
        + (day.isPresent() ? " WHERE day = ?" : "") + " ORDER BY day, source_key";
    Object[] args = day.map(d -> new Object[] {d.toString()}).orElse(new Object[0]);
    return query(sql, rs -> new QuarantinedFile(LocalDate.parse(rs.getString(1)), rs.getString(2),
        rs.getString(3), Instant.parse(rs.getString(4))), args);
  }

  // ---------------------------------------------------------------- ETL runs

  /** Records the start of an ETL run. */
  public void startRun(String runId, String mode, Instant at) {
    run("INSERT INTO etl_runs (run_id, mode, started_at, status, days_processed, days_skipped, files_read, "
            + "rows_written, rejected, bytes_read) VALUES (?, ?, ?, 'RUNNING', 0, 0, 0, 0, 0, 0)",
        runId, mode, at.toString());
  }

  /** Records the end of an ETL run. */
  public void finishRun(String runId, String status, int daysProcessed, int daysSkipped, long files,
      long rows, long rejected, long bytes, String error) {
    inTransaction(c -> {
      // the totals move by what this run adds to its own counts, so recording an end twice counts it once
      exec(c, "UPDATE etl_totals SET rows_written = rows_written + ? - (SELECT rows_written FROM etl_runs WHERE run_id = ?), "
              + "rejected = rejected + ? - (SELECT rejected FROM etl_runs WHERE run_id = ?) "
              + "WHERE id = 1 AND EXISTS (SELECT 1 FROM etl_runs WHERE run_id = ?)",
          rows, runId, rejected, runId, runId);
      return exec(c, "UPDATE etl_runs SET finished_at = ?, status = ?, days_processed = ?, days_skipped = ?, files_read = ?, "
              + "rows_written = ?, rejected = ?, bytes_read = ?, error = ? WHERE run_id = ?",
          Instant.now().toString(), status, daysProcessed, daysSkipped, files, rows, rejected, bytes, error, runId);
    });
  }

  /** Rows written and files rejected by every ETL run. */
  public record EtlTotals(long rowsWritten, long rejected) {}

  /**
   * The rows written and files rejected by every ETL run, from a running total kept as runs
   * end: one row, however many runs there were.
   */
  public EtlTotals etlTotals() {
    return query("SELECT rows_written, rejected FROM etl_totals WHERE id = 1",
        rs -> new EtlTotals(rs.getLong(1), rs.getLong(2))).stream().findFirst().orElse(new EtlTotals(0, 0));
  }

  /** An ETL run that succeeded: its id, start and end (if recorded). */
  public record SucceededRun(String runId, Instant startedAt, Optional<Instant> finishedAt) {}

  /** The ETL runs of a mode ({@code daily} or {@code full}) that succeeded and started at or after {@code from}, newest first. */
  public List<SucceededRun> succeededRuns(String mode, Instant from) {
    return query("SELECT run_id, started_at, finished_at FROM etl_runs "
            + "WHERE mode = ? AND status = 'SUCCEEDED' AND started_at >= ? ORDER BY started_at DESC",
        rs -> new SucceededRun(rs.getString(1), Instant.parse(rs.getString(2)),
            Optional.ofNullable(rs.getString(3)).map(Instant::parse)),
        mode, from.toString());
  }

  /**
   * Records that a run still marked running died (its process is gone: what it staged was
   * found with no holder of the day's lock); a run that ended is left as it ended.
   */
  public void markRunDied(String runId, String error) {
    run("UPDATE etl_runs SET finished_at = ?, status = 'FAILED', error = ? WHERE run_id = ? AND status = 'RUNNING'",
        Instant.now().toString(), error, runId);
  }

  /** The runs known to have failed: their files that no snapshot holds never will. */
  public java.util.Set<String> failedRuns() {
    return new java.util.HashSet<>(query("SELECT run_id FROM etl_runs WHERE status = 'FAILED'", rs -> rs.getString(1)));
  }

  /**
   * Forgets what the catalog knows of days the table no longer holds as recorded (a table rolled
   * back): their counts, fingerprint, files and quarantine, so the next run processes them again
   * instead of skipping them as unchanged.
   */
  public void forgetDays(java.util.Collection<LocalDate> days) {
    inTransaction(c -> {
      for (LocalDate d : days) {
        exec(c, "DELETE FROM processed_files WHERE day = ?", d.toString());
        exec(c, "DELETE FROM quarantine WHERE day = ?", d.toString());
        exec(c, "DELETE FROM processed_days WHERE day = ?", d.toString());
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- plumbing

  /** A unit of work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  /** Maps one result row. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Runs work in one transaction, committing on success and rolling back on failure. */
  public <T> T inTransaction(Work<T> work) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CatalogException("catalog update failed: " + e.getMessage(), e);
    }
  }

  /** Runs a query and maps every row. */
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new CatalogException("catalog query failed: " + e.getMessage(), e);
    }
  }

  /** Runs one statement in its own transaction. */
  public int run(String sql, Object... args) {
    try (Connection c = db.connection()) {
      return exec(c, sql, args);
    } catch (SQLException e) {
      throw new CatalogException("catalog update failed: " + e.getMessage(), e);
    }
  }

  /** Runs one statement with its arguments on a connection (inside a caller's transaction). */
  public static int exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        ps.setNull(i + 1, java.sql.Types.VARCHAR);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (a instanceof Long n) {
        ps.setLong(i + 1, n);
      } else if (a instanceof Double n) {
        ps.setDouble(i + 1, n);
      } else {
        ps.setString(i + 1, a.toString());
      }
    }
  }

  /** Columns in the order given, as catalog columns named as in the data. */
  public static List<CatalogColumn> asCatalogColumns(List<Column> columns) {
    List<CatalogColumn> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      out.add(new CatalogColumn(columns.get(i).name(), columns.get(i).name(), columns.get(i).type(), i));
    }
    return out;
  }
}
