package io.cdrpipeline.table;

import io.cdrpipeline.model.Column;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code processed_cdrs} as an Apache Iceberg table (format v2, identity partitions on {@code
 * year}, {@code month}, {@code day}) in its catalog: where every ETL engine's day is committed and
 * every reader plans its files. A day is replaced by one Iceberg overwrite of exactly that day's
 * partition, checked for conflicts against the snapshot the writer started from, so every engine
 * (ours, Spark, Athena, Trino, DuckDB) sees a day whole, before or after, never both. Each commit's
 * summary names the day ({@value #DAY}) and the run ({@value #RUN}).
 *
 * <p>The work is done by one class per job: {@link CatalogFactory} (the catalog of the settings),
 * {@link TableLoader} (open or create), {@link ReplaceDay}, {@link AddColumns}, {@link PlanFiles},
 * {@link TableHistory}, {@link TableMaintenance}, {@link DropFromCatalog}; {@link CommitRetry} is
 * how every commit is retried.
 */
public final class IcebergTable implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IcebergTable.class);

  /** Snapshot summary key: the day a commit replaced, {@code YYYY-MM-DD}. */
  public static final String DAY = "cdr.day";

  /** Snapshot summary key: the run that wrote it. */
  public static final String RUN = "cdr.run-id";

  /**
   * Snapshot summary key: the watch batch an append committed (no {@value #DAY}: a batch may append
   * to two days); the history shows it as the snapshot's run.
   */
  public static final String WATCH_BATCH = "cdr.watch-batch";

  /** The folder of data files under the table's location. */
  public static final String DATA = "data";

  private final Catalog catalog;
  private final TableIdentifier id;
  private final FileIO io;
  private final boolean ownsIo;
  private final Table table;

  IcebergTable(Catalog catalog, TableIdentifier id, FileIO io, boolean ownsIo, Table table) {
    this.catalog = catalog;
    this.id = id;
    this.io = io;
    this.ownsIo = ownsIo;
    this.table = table;
  }

  /**
   * Opens the table in the catalog the settings name, creating its namespace and the table (under
   * {@code <warehouse>/processed_cdrs}) when they do not exist yet. A catalog that cannot be
   * reached or refuses is one line for the user ({@link TableException}).
   *
   * @param catalogUrl the product's catalog database, where a JDBC catalog keeps its tables
   * @param namespace the namespace (database) of the table, e.g. {@code cdrs}
   * @param warehouse the store of the warehouse: a local folder or an S3 bucket
   */
  public static IcebergTable open(
      TableSettings settings, String catalogUrl, String namespace, ObjectStore warehouse) {
    return TableLoader.open(settings, catalogUrl, namespace, warehouse);
  }

  /**
   * Opens (or creates) the table in a catalog that is already set up, e.g. a REST catalog in a
   * test.
   */
  public static IcebergTable open(
      Catalog catalog, TableIdentifier id, String location, FileIO io, boolean ownsIo) {
    return TableLoader.open(catalog, id, location, io, ownsIo);
  }

  /**
   * Removes the table from its catalog, if it is there, without deleting any file (the caller
   * decides which files go), and its namespace when that is left empty. For the JDBC catalog,
   * Iceberg's own tables in the catalog database go too once nothing else is in them. Returns true
   * when the table was there.
   */
  public static boolean dropFromCatalog(
      TableSettings settings, String catalogUrl, String namespace, ObjectStore warehouse) {
    return DropFromCatalog.drop(settings, catalogUrl, namespace, warehouse);
  }

  /** A location as the user knows it: the path of a local file, else the URI. */
  public static String display(String location) {
    return location.startsWith("file:") ? StoreFileIO.path(location).toString() : location;
  }

  /** The file name of a location. */
  static String name(String location) {
    return location.substring(location.lastIndexOf('/') + 1);
  }

  /**
   * The run a data file of the table was written by, from its name ({@code
   * part-NNNNN-<run>.parquet}, see {@link #newDataFile}); empty for any other file.
   */
  static Optional<String> runOf(String location) {
    String name = name(location);
    int dash = name.indexOf('-', "part-".length());
    if (name.startsWith("part-") && dash > 0 && name.endsWith(".parquet")) {
      return Optional.of(name.substring(dash + 1, name.length() - ".parquet".length()));
    }
    return Optional.empty();
  }

  /**
   * Iceberg's S3FileIO for a bucket (on a client of the store's settings), the store itself for a
   * folder: the FileIO the table's files are read and written with, also by a cluster's tasks.
   */
  public static FileIO fileIo(ObjectStore warehouse) {
    if (warehouse instanceof S3Store s3) {
      S3FileIO io =
          new CheckedS3FileIO(
              () ->
                  S3Store.newClient(
                      s3.settings(), s3.credentials(), S3Store.retryStrategy().build()));
      io.initialize(Map.of());
      return io;
    }
    return new StoreFileIO(warehouse);
  }

  /**
   * The location of a key of a store: {@code s3://bucket/prefix/key} or {@code file:/folder/key}.
   */
  public static String location(ObjectStore store, String key) {
    StoreLocation l = store.location();
    if (l instanceof StoreLocation.S3 s3) {
      return "s3://" + s3.bucket() + "/" + (s3.prefix().isEmpty() ? "" : s3.prefix() + "/") + key;
    }
    String root = StoreFileIO.location(((StoreLocation.Local) l).root(), ".");
    root = root.substring(0, root.length() - 1);
    return root + key;
  }

  /** The Iceberg table, as of the last refresh. */
  public Table iceberg() {
    return table;
  }

  /** The table's identifier in its catalog. */
  public TableIdentifier identifier() {
    return id;
  }

  /** The table's FileIO. */
  public FileIO io() {
    return io;
  }

  /** Reads the newest metadata, so what another process committed is seen. */
  public IcebergTable refresh() {
    try {
      table.refresh();
    } catch (NotFoundException e) {
      throw TableErrors.damaged(e);
    }
    return this;
  }

  /** The table's location. */
  public String location() {
    return table.location();
  }

  /** The current snapshot's id, or empty for a table without any commit yet. */
  public Optional<Long> currentSnapshotId() {
    Snapshot s = table.currentSnapshot();
    return s == null ? Optional.empty() : Optional.of(s.snapshotId());
  }

  /** The location of a new data file of a day, unique to the run. */
  public String newDataFile(LocalDate day, String runId, int index) {
    return table.location()
        + "/"
        + DATA
        + "/year="
        + day.getYear()
        + "/month="
        + day.getMonthValue()
        + "/day="
        + day.getDayOfMonth()
        + "/"
        + String.format("part-%05d-%s.parquet", index, runId);
  }

  /**
   * Each top-level column's field id in the current schema, by name: what data files must carry.
   */
  public Map<String, Integer> fieldIds() {
    return TableSchema.fieldIds(table.schema());
  }

  /** The current columns with their types, in schema order. */
  public Map<String, io.cdrpipeline.model.ColumnType> columns() {
    return TableSchema.columns(table.schema());
  }

  /**
   * Adds the columns the schema lacks (schema evolution: a new optional column, never a type
   * change). Returns the names added.
   */
  public List<String> addColumns(List<Column> wanted) {
    return AddColumns.add(table, wanted);
  }

  /** A data file written for a commit: its location, size and rows. */
  public record NewFile(String location, long bytes, long rows) {
    public NewFile {
      Objects.requireNonNull(location, "location is null");
    }
  }

  /** Uploads a local Parquet file to its place in the table (not yet part of any snapshot). */
  public void upload(Path local, String location) throws IOException {
    DataFileUpload.upload(io, local, location);
  }

  /**
   * Replaces a day with the given files in one commit, checked against {@code base} (the snapshot
   * the writer read when it started, empty for a table it found empty): if another writer committed
   * files of the same day since, the commit fails with a {@link DayConflict} and changes nothing.
   * Commits of other days meanwhile are no conflict. Returns the new snapshot's id.
   *
   * <p>A commit that certainly did not happen (the table, read again, holds no snapshot of this
   * run) removes the metadata files it wrote and fails with a {@link DayConflict} or a {@link
   * NotCommitted}; the caller removes the data files. Any other failure may have committed: the
   * next writer of the day settles it.
   */
  public long commitDay(LocalDate day, String runId, List<NewFile> files, Optional<Long> base) {
    return new ReplaceDay(this).commit(day, runId, files, base);
  }

  /**
   * Appends data files to the given days' partitions in one commit, keeping what the days hold (a
   * watch batch, see {@code io.cdrpipeline.watch}); {@code summary} goes into the snapshot's
   * summary. Commits of other writers meanwhile are no conflict. Returns the new snapshot's id.
   */
  public long appendFiles(Map<LocalDate, List<NewFile>> files, Map<String, String> summary) {
    return AppendBatch.commit(table, files, summary);
  }

  /**
   * The id of the snapshot, the current one or an ancestor, whose summary has {@code key} = {@code
   * value}, looking back no further than the first snapshot older than {@code notBefore}.
   */
  public Optional<Long> findSnapshot(String key, String value, Instant notBefore) {
    return AppendBatch.find(table, key, value, notBefore.toEpochMilli());
  }

  /**
   * True when a data file of the current snapshot in one of the days was written by the run (named
   * after it); only the days' manifests are read.
   */
  public boolean holdsFilesOf(String runId, List<LocalDate> days) {
    return days.stream()
        .flatMap(d -> dayFiles(d).stream())
        .anyMatch(f -> runOf(f.location()).filter(runId::equals).isPresent());
  }

  /**
   * Deletes a file this process wrote and no snapshot names; a failure is logged, maintenance
   * removes it later.
   */
  void deleteQuietly(String location) {
    try {
      io.deleteFile(location);
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot delete {} (table maintenance removes it later): {}", location, e.getMessage());
    }
  }

  /** {@code year = Y AND month = M AND day = D}. */
  public static Expression dayFilter(LocalDate day) {
    return Expressions.and(
        Expressions.equal("year", day.getYear()),
        Expressions.and(
            Expressions.equal("month", day.getMonthValue()),
            Expressions.equal("day", day.getDayOfMonth())));
  }

  /** A data file of the current snapshot: its location, day, rows and size. */
  public record PlannedFile(String location, LocalDate day, long rows, long bytes) {}

  /**
   * The data files of the current snapshot that the filter may need (Iceberg prunes manifests and
   * files by their partition values; nothing is opened but metadata). A file with row-level deletes
   * (written by another engine) is refused: reading it without them would be wrong.
   */
  public List<PlannedFile> plan(Expression filter) {
    return PlanFiles.plan(table, filter);
  }

  /** The data files of one day in the current snapshot. */
  public List<PlannedFile> dayFiles(LocalDate day) {
    return plan(dayFilter(day));
  }

  /** One commit of the table's history. */
  public record SnapshotInfo(
      long snapshotId,
      Instant at,
      String operation,
      Optional<LocalDate> day,
      Optional<String> runId,
      long rowsAdded,
      long rowsRemoved,
      long filesAdded,
      long filesRemoved,
      boolean current) {}

  /** The snapshots the table keeps, oldest first. */
  public List<SnapshotInfo> history() {
    return TableHistory.of(table);
  }

  /**
   * What maintenance did; {@code failedRunFiles} of the orphans deleted were written by runs known
   * to have failed (deleted whatever their age).
   */
  public record Maintenance(
      int snapshotsExpired,
      int orphansDeleted,
      int failedRunFiles,
      int manifestsBefore,
      int manifestsAfter) {}

  /**
   * Expires the snapshots replaced more than the retention ago (the current one always stays),
   * which deletes the files only they reference; deletes orphans (files under the table's location
   * that no kept snapshot or metadata file references, e.g. left by a crashed run) older than the
   * retention; and rewrites the manifests into one per month when there are many.
   */
  public Maintenance maintain(Duration retention, Instant now) {
    return maintain(retention, now, run -> false);
  }

  /**
   * As {@link #maintain(Duration, Instant)}, and deletes at once the data files no kept snapshot
   * references that a run known to have failed wrote ({@code failedRun} says which runs did): such
   * a file can never become part of the table, so waiting for the retention only keeps the disk
   * full.
   */
  public Maintenance maintain(Duration retention, Instant now, Predicate<String> failedRun) {
    return new TableMaintenance(table, io).run(retention, now, failedRun);
  }

  /** Drops the table from its catalog and deletes its data and metadata. */
  public void drop() {
    catalog.dropTable(id, true);
  }

  /** A commit that certainly did not happen; the metadata files it wrote are removed. */
  public static final class NotCommitted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotCommitted(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Another run committed the same day meanwhile; nothing of this commit happened. */
  public static final class DayConflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DayConflict(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public void close() {
    CatalogFactory.closeQuietly(catalog);
    if (ownsIo) {
      io.close();
      SharedFileIO.release(io);
    }
  }
}
