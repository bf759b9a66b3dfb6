package io.cdrpipeline.catalog;

import io.cdrpipeline.model.Column;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The data catalog: tables, their columns and partitions (what the crawlers find), and the
 * committed state of every processed day (what the ETL writes and queries read).
 *
 * <p>Each kind of record is kept by a class of its own ({@link TableColumns}, {@link Partitions},
 * {@link ProcessedDays}, {@link EtlRuns}) over the same statements ({@link CatalogSql}).
 */
public final class Catalog {
  private final Database db;
  private final CatalogSql sql;
  private final TableColumns tables;
  private final Partitions partitions;
  private final ProcessedDays days;
  private final EtlRuns runs;

  public Catalog(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.sql = new CatalogSql(db);
    this.tables = new TableColumns(sql);
    this.partitions = new Partitions(sql);
    this.days = new ProcessedDays(sql);
    this.runs = new EtlRuns(sql);
  }

  public Database database() {
    return db;
  }

  // ---------------------------------------------------------------- tables and columns

  /** Registers a table, or updates its location, format and partition keys. */
  public void ensureTable(CatalogTable table) {
    tables.ensureTable(table);
  }

  /** The table with this name, if registered. */
  public Optional<CatalogTable> table(String name) {
    return tables.table(name);
  }

  /** The columns of a table in position order; empty if the table has none yet. */
  public List<CatalogColumn> columns(String table) {
    return tables.columns(table);
  }

  /**
   * Adds the observed columns a table lacks and widens those whose type conflicts; never drops.
   * Returns the changes, which are also logged and recorded.
   */
  public List<SchemaChange> mergeColumns(String table, List<CatalogColumn> observed) {
    return tables.mergeColumns(table, observed);
  }

  /**
   * Replaces a column by another name and field name, keeping its place; when the table already has
   * a column of that name, the two become one (of the wider type). A null replacement removes the
   * column. For names an older version gave that the tables cannot have.
   */
  public void replaceColumn(String table, String name, CatalogColumn replacement) {
    tables.replaceColumn(table, name, replacement);
  }

  /** Every recorded schema change of a table, oldest first. */
  public List<SchemaChange> schemaChanges(String table) {
    return tables.schemaChanges(table);
  }

  // ---------------------------------------------------------------- partitions

  /** Registers partitions, replacing the counts of those already known. */
  public void upsertPartitions(List<Partition> partitions) {
    this.partitions.upsertPartitions(partitions);
  }

  /** Removes partitions of a table found in one source bucket. */
  public void removePartitions(String table, String source, Set<String> paths) {
    partitions.removePartitions(table, source, paths);
  }

  /** The partitions of a table, by date then path. */
  public List<Partition> partitions(String table) {
    return partitions.partitions(table);
  }

  /** The partitions of a table found in one source bucket. */
  public List<Partition> partitions(String table, String source) {
    return partitions.partitions(table, source);
  }

  /** The latest partition date per voice connector (null key for tables without connectors). */
  public Map<String, LocalDate> latestPartitionDates(String table, String source) {
    return partitions.latestPartitionDates(table, source);
  }

  /** The paths of a table's partitions from one source. */
  public Set<String> partitionPaths(String table, String source) {
    return partitions.partitionPaths(table, source);
  }

  // ---------------------------------------------------------------- processed days

  /** The committed state of a day, if it was ever processed. */
  public Optional<ProcessedDay> processedDay(LocalDate day) {
    return days.processedDay(day);
  }

  /** Every processed day, oldest first, with its files. */
  public List<ProcessedDay> processedDays() {
    return days.processedDays();
  }

  /**
   * Stages a run's outcome of a day: its counts, fingerprint and rejected files, kept aside until
   * {@link #promoteDay} makes them the day's. Staging again under the same run replaces it.
   */
  public void stageDay(DayCommit commit) {
    days.stageDay(commit);
  }

  /**
   * Makes a staged run the day's state in one transaction: its counts, fingerprint, the snapshot
   * that holds its files, the files themselves (as the table lists them) and its quarantine.
   * Nothing happens when the run is not staged (promoted already).
   */
  public void promoteDay(
      LocalDate date, String runId, long snapshotId, List<ProcessedDay.ProcessedFile> files) {
    days.promoteDay(date, runId, snapshotId, files);
  }

  /** Forgets a staged run whose files never reached the table. */
  public void discardStaged(LocalDate date, String runId) {
    days.discardStaged(date, runId);
  }

  /**
   * Forgets a day the table no longer holds (dropped): its committed state, files, quarantine,
   * anything staged for it, and its partition of {@code processedTable}, in one transaction.
   */
  public void forgetDay(LocalDate date, String processedTable) {
    days.forgetDay(date, processedTable);
  }

  /**
   * Forgets what the catalog knows of days the table no longer holds as recorded (a table rolled
   * back): their counts, fingerprint, files and quarantine, so the next run processes them again
   * instead of skipping them as unchanged.
   */
  public void forgetDays(Collection<LocalDate> days) {
    this.days.forgetDays(days);
  }

  /** A run staged for a day and not yet promoted or discarded. */
  public record StagedRun(LocalDate day, String runId, Instant stagedAt) {}

  /** The staged runs, oldest first. */
  public List<StagedRun> stagedRuns() {
    return days.stagedRuns();
  }

  /** Rejected files, of one day or (empty) of all days, by day then key. */
  public List<QuarantinedFile> quarantine(Optional<LocalDate> day) {
    return days.quarantine(day);
  }

  // ---------------------------------------------------------------- ETL runs

  /** Records the start of an ETL run. */
  public void startRun(String runId, String mode, Instant at) {
    runs.startRun(runId, mode, at);
  }

  /** Records the end of an ETL run. */
  public void finishRun(
      String runId,
      String status,
      int daysProcessed,
      int daysSkipped,
      long files,
      long rows,
      long rejected,
      long bytes,
      String error) {
    runs.finishRun(runId, status, daysProcessed, daysSkipped, files, rows, rejected, bytes, error);
  }

  /** Rows written and files rejected by every ETL run. */
  public record EtlTotals(long rowsWritten, long rejected) {}

  /**
   * The rows written and files rejected by every ETL run, from a running total kept as runs end:
   * one row, however many runs there were.
   */
  public EtlTotals etlTotals() {
    return runs.etlTotals();
  }

  /** An ETL run that succeeded: its id, start and end (if recorded). */
  public record SucceededRun(String runId, Instant startedAt, Optional<Instant> finishedAt) {}

  /**
   * The ETL runs of a mode ({@code daily} or {@code full}) that succeeded and started at or after
   * {@code from}, newest first.
   */
  public List<SucceededRun> succeededRuns(String mode, Instant from) {
    return runs.succeededRuns(mode, from);
  }

  /**
   * Records that a run still marked running died (its process is gone: what it staged was found
   * with no holder of the day's lock); a run that ended is left as it ended.
   */
  public void markRunDied(String runId, String error) {
    runs.markRunDied(runId, error);
  }

  /** The runs known to have failed: their files that no snapshot holds never will. */
  public Set<String> failedRuns() {
    return runs.failedRuns();
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
    return sql.inTransaction(work);
  }

  /** Runs a query and maps every row. */
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    return this.sql.query(sql, mapper, args);
  }

  /** Runs one statement in its own transaction. */
  public int run(String sql, Object... args) {
    return this.sql.run(sql, args);
  }

  /** Runs one statement with its arguments on a connection (inside a caller's transaction). */
  public static int exec(Connection c, String sql, Object... args) throws SQLException {
    return CatalogSql.exec(c, sql, args);
  }

  /** Columns in the order given, as catalog columns named as in the data. */
  public static List<CatalogColumn> asCatalogColumns(List<Column> columns) {
    List<CatalogColumn> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      out.add(
          new CatalogColumn(
              columns.get(i).name(), columns.get(i).name(), columns.get(i).type(), i));
    }
    return out;
  }
}
