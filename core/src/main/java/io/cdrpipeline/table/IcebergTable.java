package io.cdrpipeline.table;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.AwsProperties;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchIcebergTableException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.JdbcClientPool;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.RESTClient;
import org.apache.iceberg.rest.RESTSessionCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code processed_cdrs} as an Apache Iceberg table (format v2, identity partitions on
 * {@code year}, {@code month}, {@code day}) in its catalog: where every ETL engine's day is
 * committed and every reader plans its files. A day is replaced by one Iceberg overwrite of exactly that day's
 * partition, checked for conflicts against the snapshot the writer started from, so every
 * engine (ours, Spark, Athena, Trino, DuckDB) sees a day whole, before or after, never both.
 * Each commit's summary names the day ({@value #DAY}) and the run ({@value #RUN}).
 */
public final class IcebergTable implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IcebergTable.class);
  /** Snapshot summary key: the day a commit replaced, {@code YYYY-MM-DD}. */
  public static final String DAY = "cdr.day";
  /** Snapshot summary key: the run that wrote it. */
  public static final String RUN = "cdr.run-id";
  /** The folder of data files under the table's location. */
  public static final String DATA = "data";

  private final Catalog catalog;
  private final TableIdentifier id;
  private final FileIO io;
  private final boolean ownsIo;
  private Table table;

  private IcebergTable(Catalog catalog, TableIdentifier id, FileIO io, boolean ownsIo, Table table) {
    this.catalog = catalog;
    this.id = id;
    this.io = io;
    this.ownsIo = ownsIo;
    this.table = table;
  }

  /**
   * Opens the table in the catalog the settings name, creating its namespace and the table
   * (under {@code <warehouse>/processed_cdrs}) when they do not exist yet. A catalog that cannot
   * be reached or refuses is one line for the user ({@link TableException}).
   *
   * @param catalogUrl the product's catalog database, where a JDBC catalog keeps its tables
   * @param namespace the namespace (database) of the table, e.g. {@code cdrs}
   * @param warehouse the store of the warehouse: a local folder or an S3 bucket
   */
  public static IcebergTable open(TableSettings settings, String catalogUrl, String namespace, ObjectStore warehouse) {
    Objects.requireNonNull(settings, "settings is null");
    Objects.requireNonNull(catalogUrl, "catalogUrl is null");
    Objects.requireNonNull(namespace, "namespace is null");
    Objects.requireNonNull(warehouse, "warehouse is null");
    if (settings.catalog() == TableSettings.Kind.GLUE && !(warehouse instanceof S3Store)) {
      throw new TableException("the glue catalog needs an s3:// warehouse (Athena and every other reader of Glue "
          + "read S3), got " + warehouse.location().display(), null);
    }
    String warehouseLocation = location(warehouse, "");
    FileIO io = fileIo(warehouse);
    Catalog catalog = null;
    try {
      catalog = catalog(settings, catalogUrl, warehouseLocation, io);
      return open(catalog, TableIdentifier.of(Namespace.of(namespace), ProcessedSchema.TABLE),
          warehouseLocation + ProcessedSchema.TABLE, io, true);
    } catch (RuntimeException e) {
      if (catalog != null) {
        closeQuietly(catalog);
      }
      io.close();
      SharedFileIO.release(io);
      if (e instanceof TableException) {
        throw e;
      }
      if (e instanceof NotFoundException missing) {
        throw damaged(missing);
      }
      if (e instanceof NoSuchIcebergTableException) {
        throw new TableException("the " + describe(settings, catalogUrl) + " already has a table " + namespace + "."
            + ProcessedSchema.TABLE + " that is not an Iceberg table (e.g. one a Glue crawler made of the old folders): "
            + "drop it, or set 'database' to another name", e);
      }
      // a JDBC driver's message may carry the URL, password and all
      throw new TableException("cannot open the processed table in the " + describe(settings, catalogUrl) + ": "
          + Database.redact(reason(e)), e);
    }
  }

  static Catalog catalog(TableSettings settings, String catalogUrl, String warehouseLocation, FileIO io) {
    switch (settings.catalog()) {
      case JDBC:
        return jdbc(catalogUrl, warehouseLocation, io, settings.properties());
      case REST:
        return rest(io, settings.properties());
      default:
        return glue(warehouseLocation, io, settings.properties());
    }
  }

  /**
   * Removes the table from its catalog, if it is there, without deleting any file (the caller
   * decides which files go), and its namespace when that is left empty. For the JDBC catalog,
   * Iceberg's own tables in the catalog database go too once nothing else is in them. Returns
   * true when the table was there.
   */
  public static boolean dropFromCatalog(TableSettings settings, String catalogUrl, String namespace, ObjectStore warehouse) {
    FileIO io = fileIo(warehouse);
    Catalog catalog = null;
    try {
      catalog = catalog(settings, catalogUrl, location(warehouse, ""), io);
      TableIdentifier id = TableIdentifier.of(Namespace.of(namespace), ProcessedSchema.TABLE);
      boolean exists;
      try {
        exists = catalog.tableExists(id);
      } catch (NotFoundException damaged) {
        exists = true; // its metadata is missing or damaged: the entry goes all the same, nothing is read
      }
      boolean dropped = exists && catalog.dropTable(id, false);
      if (catalog instanceof SupportsNamespaces ns && ns.namespaceExists(id.namespace())
          && catalog.listTables(id.namespace()).isEmpty()) {
        ns.dropNamespace(id.namespace());
      }
      if (settings.catalog() == TableSettings.Kind.JDBC) {
        dropEmptyJdbcTables(catalogUrl);
      }
      return dropped;
    } catch (RuntimeException e) {
      throw new TableException("cannot remove the processed table from the " + describe(settings, catalogUrl) + ": "
          + Database.redact(reason(e)), e);
    } finally {
      if (catalog != null) {
        closeQuietly(catalog);
      }
      io.close();
      SharedFileIO.release(io);
    }
  }

  private static void dropEmptyJdbcTables(String catalogUrl) {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(catalogUrl)) {
      JdbcCatalogEntry.dropEmptyTables(c);
    } catch (java.sql.SQLException e) {
      throw new TableException("cannot clean up Iceberg's tables: " + firstLine(e.getMessage()), e);
    }
  }

  /** The catalog as a message names it: its kind and where it is, without passwords. */
  static String describe(TableSettings settings, String catalogUrl) {
    Map<String, String> p = settings.properties();
    switch (settings.catalog()) {
      case JDBC:
        return "jdbc catalog of " + Database.redact(catalogUrl);
      case REST:
        return "rest catalog at " + p.get(CatalogProperties.URI);
      default:
        return "glue catalog" + (p.containsKey(AwsProperties.GLUE_CATALOG_ID) ? " of account " + p.get(AwsProperties.GLUE_CATALOG_ID) : "")
            + (p.containsKey(AwsProperties.GLUE_CATALOG_ENDPOINT) ? " at " + p.get(AwsProperties.GLUE_CATALOG_ENDPOINT)
                : p.containsKey(AwsClientProperties.CLIENT_REGION) ? " in " + p.get(AwsClientProperties.CLIENT_REGION) : "");
    }
  }

  /** The first line of a failure, with its root cause when that says more (e.g. "Connection refused"). */
  static String reason(Throwable e) {
    return FailureText.withRootCause(e);
  }

  /**
   * Iceberg's REST catalog, with the table's FileIO for every table it loads: its default would
   * make one by class name (Hadoop's for a folder), and it would ignore the product's S3 settings.
   */
  private static Catalog rest(FileIO io, Map<String, String> props) {
    RestCatalog c = new RestCatalog(io);
    try {
      c.initialize("cdr", props);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  private static final class RestCatalog extends RESTCatalog {
    /** Not final: the super constructor makes the session catalog, which asks for it only at initialize. */
    private FileIO io;

    RestCatalog(FileIO io) {
      super();
      this.io = io;
    }

    @Override
    protected RESTSessionCatalog newSessionCatalog(Function<Map<String, String>, RESTClient> clientBuilder) {
      return new RESTSessionCatalog(clientBuilder, (context, properties) -> io);
    }
  }

  /**
   * Iceberg's GlueCatalog: the Glue client from {@link GlueClients}, the table's FileIO through
   * {@link SharedFileIO} (the catalog makes one per table by class name), and Glue's table
   * version as the optimistic lock of every commit (no lock manager). The sharing ends when
   * the table closes its FileIO.
   */
  private static Catalog glue(String warehouse, FileIO io, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>(extra);
    String shared = SharedFileIO.share(io);
    props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    props.put(CatalogProperties.FILE_IO_IMPL, SharedFileIO.class.getName());
    props.put(SharedFileIO.ID, shared);
    props.put(AwsProperties.CLIENT_FACTORY, GlueClients.class.getName());
    GlueCatalog c = new GlueCatalog();
    try {
      c.initialize("cdr", props);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  /** Opens (or creates) the table in a catalog that is already set up, e.g. a REST catalog in a test. */
  public static IcebergTable open(Catalog catalog, TableIdentifier id, String location, FileIO io, boolean ownsIo) {
    Namespace ns = id.namespace();
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(ns)) {
      try {
        namespaces.createNamespace(ns);
      } catch (AlreadyExistsException e) {
        // another process made it meanwhile
      }
    }
    Table table;
    if (catalog.tableExists(id)) {
      table = catalog.loadTable(id);
    } else {
      List<String> found = metadataFiles(io, location);
      // the catalog lost the table (emptied, replaced, pointed elsewhere), not the table its
      // files: a new table there would hide every day it holds behind an empty one
      if (!found.isEmpty() && !catalog.tableExists(id)) {
        throw new TableException("the catalog has no table " + id + ", but " + display(location) + "/metadata holds its "
            + "metadata (" + found.size() + " metadata files, newest " + name(found.get(0)) + "): the catalog was "
            + "emptied or replaced. 'cdr table repair' registers the newest readable one with the catalog again; "
            + "to start an empty table instead, move " + display(location) + " away", null);
      }
      Schema schema = TableSchema.initial();
      try {
        table = catalog.buildTable(id, schema)
            .withPartitionSpec(TableSchema.spec(schema))
            .withLocation(location)
            .withProperty(TableProperties.FORMAT_VERSION, "2")
            .withProperty(TableProperties.DEFAULT_FILE_FORMAT, "parquet")
            .withProperty(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
            .withProperty(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20")
            .withProperty(TableProperties.COMMIT_NUM_RETRIES, "10")
            .create();
        LOG.info("created Iceberg table {} at {}", id, location);
      } catch (AlreadyExistsException e) {
        table = catalog.loadTable(id); // another process made it meanwhile
      }
    }
    return new IcebergTable(catalog, id, io, ownsIo, table);
  }

  /**
   * The table metadata files ({@code NNNNN-uuid.metadata.json}) under a table's location, newest
   * version first; none when the storage cannot list files.
   */
  static List<String> metadataFiles(FileIO io, String location) {
    List<FileInfo> found = new ArrayList<>();
    if (io instanceof SupportsPrefixOperations prefixes) {
      for (FileInfo f : prefixes.listPrefix(location + "/metadata/")) {
        if (MetadataFile.is(f.location()) && f.location().equals(location + "/metadata/" + name(f.location()))) {
          found.add(f);
        }
      }
    }
    // two files of one version: one was written by a commit that lost (or by a table made anew), the newer one counts
    found.sort(java.util.Comparator.comparingLong((FileInfo f) -> version(f.location()))
        .thenComparingLong(FileInfo::createdAtMillis).reversed());
    return found.stream().map(FileInfo::location).toList();
  }

  /** The version a metadata file's name starts with ({@code 00012-...} is 12), or -1. */
  static long version(String location) {
    String name = name(location);
    int dash = name.indexOf('-');
    try {
      return dash > 0 ? Long.parseLong(name.substring(0, dash)) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
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
   * The run a data file of the table was written by, from its name ({@code part-NNNNN-<run>.parquet},
   * see {@link #newDataFile}); empty for any other file.
   */
  static Optional<String> runOf(String location) {
    String name = name(location);
    int dash = name.indexOf('-', "part-".length());
    if (name.startsWith("part-") && dash > 0 && name.endsWith(".parquet")) {
      return Optional.of(name.substring(dash + 1, name.length() - ".parquet".length()));
    }
    return Optional.empty();
  }

  /** A file the table's metadata names is missing or cannot be read: one line for the user, and the way back. */
  static TableException damaged(NotFoundException e) {
    return new TableException("the processed table is damaged: " + firstLine(e.getMessage())
        + " ('cdr table repair' rolls the table back to its newest readable state)", e);
  }

  private static Catalog jdbc(String catalogUrl, String warehouse, FileIO io, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, catalogUrl);
    props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    props.put("jdbc.schema-version", "V1");
    if (catalogUrl.startsWith("jdbc:sqlite:")) {
      // as the product's own connections: wait for another writer instead of failing at once
      props.put("jdbc.busy_timeout", "60000");
      props.put("jdbc.journal_mode", "wal");
    }
    props.putAll(extra);
    JdbcCatalog c = new JdbcCatalog(p -> io, p -> new JdbcClientPool(p.get(CatalogProperties.URI), p), true);
    c.initialize("cdr", props);
    return c;
  }

  /**
   * Iceberg's S3FileIO for a bucket (on a client of the store's settings), the store itself for a
   * folder: the FileIO the table's files are read and written with, also by a cluster's tasks.
   */
  public static FileIO fileIo(ObjectStore warehouse) {
    if (warehouse instanceof S3Store s3) {
      S3FileIO io = new CheckedS3FileIO(() -> S3Store.newClient(s3.settings(), s3.credentials(), S3Store.retryStrategy().build()));
      io.initialize(Map.of());
      return io;
    }
    return new StoreFileIO(warehouse);
  }

  /** The location of a key of a store: {@code s3://bucket/prefix/key} or {@code file:/folder/key}. */
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
      throw damaged(e);
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
    return table.location() + "/" + DATA + "/year=" + day.getYear() + "/month=" + day.getMonthValue() + "/day="
        + day.getDayOfMonth() + "/" + String.format("part-%05d-%s.parquet", index, runId);
  }

  /** Each top-level column's field id in the current schema, by name: what data files must carry. */
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
    Set<String> have = new HashSet<>(TableSchema.columns(table.schema()).keySet());
    List<Column> missing = wanted.stream().filter(c -> !have.contains(c.name())).toList();
    if (missing.isEmpty()) {
      return List.of();
    }
    UpdateSchema u = table.updateSchema();
    for (Column c : missing) {
      u.addColumn(c.name(), TableSchema.type(c.type()));
    }
    try {
      u.commit();
    } catch (CommitFailedException | IllegalArgumentException e) {
      // another writer changed the schema meanwhile: take its columns and add what is still missing
      table.refresh();
      return addColumns(wanted);
    }
    table.refresh();
    return missing.stream().map(Column::name).toList();
  }

  /** A data file written for a commit: its location, size and rows. */
  public record NewFile(String location, long bytes, long rows) {
    public NewFile {
      Objects.requireNonNull(location, "location is null");
    }
  }

  /** Uploads a local Parquet file to its place in the table (not yet part of any snapshot). */
  public void upload(Path local, String location) throws IOException {
    if (io instanceof StoreFileIO store) {
      Path target = StoreFileIO.path(location);
      store.key(location); // refuses a place outside the table's folder
      Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
      try {
        Files.createDirectories(target.getParent());
        Files.copy(local, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Failpoints.write("table.write");
        Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // a partial copy of a big file is what fills a disk for good: never leave it
        Files.deleteIfExists(tmp);
        throw WriteFailure.of(target, Files.size(local), e);
      }
      return;
    }
    try (InputStream in = Files.newInputStream(local); OutputStream out = io.newOutputFile(location).createOrOverwrite()) {
      in.transferTo(out);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Replaces a day with the given files in one commit, checked against {@code base} (the
   * snapshot the writer read when it started, empty for a table it found empty): if another
   * writer committed files of the same day since, the commit fails with a {@link DayConflict}
   * and changes nothing. Commits of other days meanwhile are no conflict. Returns the new
   * snapshot's id.
   *
   * <p>A commit that certainly did not happen (the table, read again, holds no snapshot of this
   * run) removes the metadata files it wrote and fails with a {@link DayConflict} or a
   * {@link NotCommitted}; the caller removes the data files. Any other failure may have committed:
   * the next writer of the day settles it.
   */
  public long commitDay(LocalDate day, String runId, List<NewFile> files, Optional<Long> base) {
    Objects.requireNonNull(day, "day is null");
    Objects.requireNonNull(runId, "runId is null");
    Expression theDay = dayFilter(day);
    RecordingOperations ops = new RecordingOperations(((org.apache.iceberg.HasTableOperations) table).operations());
    OverwriteFiles op = new org.apache.iceberg.BaseTable(ops, table.name()).newOverwrite()
        .overwriteByRowFilter(theDay)
        .conflictDetectionFilter(theDay)
        .validateNoConflictingData()
        .validateNoConflictingDeletes()
        .set(DAY, day.toString())
        .set(RUN, runId);
    base.ifPresent(op::validateFromSnapshot);
    for (NewFile f : files) {
      op.addFile(dataFile(day, f));
    }
    try {
      op.commit();
    } catch (RuntimeException e) {
      // Iceberg's own verdicts are certain; a commit whose outcome Iceberg could not tell may
      // still land (a REST catalog behind a timeout); any other failure is checked in the table
      boolean certain = e instanceof ValidationException || e instanceof CommitFailedException
          ? refreshed() : !(e instanceof org.apache.iceberg.exceptions.CommitStateUnknownException)
              && certainlyNotCommitted(day, runId);
      if (!certain) {
        throw e instanceof NotFoundException missing ? damaged(missing) : e;
      }
      for (String f : ops.named()) {
        deleteQuietly(f);
      }
      if (e instanceof ValidationException) {
        throw new DayConflict("another run committed " + day + " while this one ran: " + firstLine(e.getMessage()), e);
      }
      if (e instanceof NotFoundException missing) {
        throw new NotCommitted(damaged(missing).getMessage(), missing);
      }
      throw new NotCommitted(commitFailure(e), e);
    }
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  /** Reads the table again after a commit that did not happen; true. */
  private boolean refreshed() {
    try {
      table.refresh();
    } catch (RuntimeException e) {
      LOG.warn("cannot read the table again: {}", e.toString());
    }
    return true;
  }

  /** True when the table, read again, certainly holds no snapshot of this run's commit of the day. */
  private boolean certainlyNotCommitted(LocalDate day, String runId) {
    try {
      table.refresh();
      for (Snapshot s = table.currentSnapshot(); s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
        if (runId.equals(s.summary().get(RUN)) && day.toString().equals(s.summary().get(DAY))) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      LOG.warn("cannot tell whether the commit of {} by {} happened (the next writer of the day settles it): {}", day,
          runId, e.toString());
      return false;
    }
  }

  /** Why a commit failed, in one line: the write that failed when one did (it names the file and the free space). */
  private static String commitFailure(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof WriteFailure.Described) {
        return c.getMessage();
      }
    }
    return reason(e);
  }

  /** Deletes a file this process wrote and no snapshot names; a failure is logged, maintenance removes it later. */
  void deleteQuietly(String location) {
    try {
      io.deleteFile(location);
    } catch (RuntimeException e) {
      LOG.warn("cannot delete {} (table maintenance removes it later): {}", location, e.getMessage());
    }
  }

  private DataFile dataFile(LocalDate day, NewFile f) {
    PartitionData p = new PartitionData(table.spec().partitionType());
    p.set(0, day.getYear());
    p.set(1, day.getMonthValue());
    p.set(2, day.getDayOfMonth());
    return DataFiles.builder(table.spec())
        .withPath(f.location())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(f.bytes())
        .withRecordCount(f.rows())
        .withPartition(p)
        .build();
  }

  /** {@code year = Y AND month = M AND day = D}. */
  public static Expression dayFilter(LocalDate day) {
    return Expressions.and(Expressions.equal("year", day.getYear()),
        Expressions.and(Expressions.equal("month", day.getMonthValue()), Expressions.equal("day", day.getDayOfMonth())));
  }

  /** A data file of the current snapshot: its location, day, rows and size. */
  public record PlannedFile(String location, LocalDate day, long rows, long bytes) {}

  /**
   * The data files of the current snapshot that the filter may need (Iceberg prunes manifests
   * and files by their partition values; nothing is opened but metadata). A file with row-level
   * deletes (written by another engine) is refused: reading it without them would be wrong.
   */
  public List<PlannedFile> plan(Expression filter) {
    List<PlannedFile> out = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).ignoreResiduals().planFiles()) {
      for (FileScanTask t : tasks) {
        DataFile f = t.file();
        LocalDate day = LocalDate.of(f.partition().get(0, Integer.class), f.partition().get(1, Integer.class),
            f.partition().get(2, Integer.class));
        if (!t.deletes().isEmpty()) {
          throw new TableException("the table has row-level deletes in " + day + " (written by another engine, e.g. "
              + "a DELETE in Spark or Trino), which this engine cannot apply: re-run 'cdr etl --date " + day
              + "' (or rewrite the table's data files, e.g. with Spark's rewrite_data_files)", null);
        }
        out.add(new PlannedFile(f.location(), day, f.recordCount(), f.fileSizeInBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NotFoundException e) {
      throw damaged(e);
    }
    return out;
  }

  /** The data and delete files of the current snapshot, as its scan reads them. */
  private Set<String> currentFiles() {
    Set<String> out = new HashSet<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().ignoreResiduals().planFiles()) {
      for (FileScanTask t : tasks) {
        out.add(normalize(t.file().location()));
        t.deletes().forEach(d -> out.add(normalize(d.location())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NotFoundException e) {
      throw damaged(e);
    }
    return out;
  }

  /** The data files of one day in the current snapshot. */
  public List<PlannedFile> dayFiles(LocalDate day) {
    return plan(dayFilter(day));
  }

  /** One commit of the table's history. */
  public record SnapshotInfo(long snapshotId, Instant at, String operation, Optional<LocalDate> day,
      Optional<String> runId, long rowsAdded, long rowsRemoved, long filesAdded, long filesRemoved, boolean current) {}

  /** The snapshots the table keeps, oldest first. */
  public List<SnapshotInfo> history() {
    List<SnapshotInfo> out = new ArrayList<>();
    Snapshot current = table.currentSnapshot();
    for (Snapshot s : table.snapshots()) {
      Map<String, String> sum = s.summary();
      out.add(new SnapshotInfo(s.snapshotId(), Instant.ofEpochMilli(s.timestampMillis()), s.operation(),
          Optional.ofNullable(sum.get(DAY)).map(LocalDate::parse), Optional.ofNullable(sum.get(RUN)),
          number(sum, SnapshotSummary.ADDED_RECORDS_PROP), number(sum, SnapshotSummary.DELETED_RECORDS_PROP),
          number(sum, SnapshotSummary.ADDED_FILES_PROP), number(sum, SnapshotSummary.DELETED_FILES_PROP),
          current != null && current.snapshotId() == s.snapshotId()));
    }
    out.sort(java.util.Comparator.comparing(SnapshotInfo::at));
    return out;
  }

  private static long number(Map<String, String> m, String key) {
    String v = m.get(key);
    return v == null ? 0 : Long.parseLong(v);
  }

  /**
   * What maintenance did; {@code failedRunFiles} of the orphans deleted were written by runs
   * known to have failed (deleted whatever their age).
   */
  public record Maintenance(int snapshotsExpired, int orphansDeleted, int failedRunFiles, int manifestsBefore,
      int manifestsAfter) {}

  /**
   * Expires the snapshots replaced more than the retention ago (the current one always stays),
   * which deletes the files only they reference; deletes orphans (files under the table's location that no kept
   * snapshot or metadata file references, e.g. left by a crashed run) older than the retention;
   * and rewrites the manifests into one per month when there are many.
   */
  public Maintenance maintain(Duration retention, Instant now) {
    return maintain(retention, now, run -> false);
  }

  /**
   * As {@link #maintain(Duration, Instant)}, and deletes at once the data files no kept snapshot
   * references that a run known to have failed wrote ({@code failedRun} says which runs did):
   * such a file can never become part of the table, so waiting for the retention only keeps
   * the disk full.
   */
  public Maintenance maintain(Duration retention, Instant now, java.util.function.Predicate<String> failedRun) {
    Objects.requireNonNull(retention, "retention is null");
    Objects.requireNonNull(failedRun, "failedRun is null");
    try {
      return maintainTable(retention, now, failedRun);
    } catch (NotFoundException e) {
      throw damaged(e);
    }
  }

  private Maintenance maintainTable(Duration retention, Instant now, java.util.function.Predicate<String> failedRun) {
    table.refresh();
    long cutoff = now.minus(retention).toEpochMilli();
    int before = countSnapshots();
    // a snapshot is read until the next one replaces it: it expires once that one is older than
    // the retention (Iceberg's expireOlderThan counts from the snapshot's own commit, which would
    // delete the files of a day written long ago the moment it is replaced)
    long expireBefore = Long.MIN_VALUE;
    for (Snapshot s : table.snapshots()) {
      if (s.timestampMillis() < cutoff) {
        expireBefore = Math.max(expireBefore, s.timestampMillis());
      }
    }
    if (table.currentSnapshot() != null && expireBefore != Long.MIN_VALUE) {
      table.expireSnapshots().expireOlderThan(expireBefore).retainLast(1).cleanExpiredFiles(true).commit();
      table.refresh();
    }
    int expired = before - countSnapshots();
    int[] orphans = removeOrphans(cutoff, failedRun);
    int manifestsBefore = manifests().size();
    int manifestsAfter = manifestsBefore;
    if (manifestsBefore > 12) {
      table.rewriteManifests()
          .clusterBy(f -> f.partition().get(0, Integer.class) * 100 + f.partition().get(1, Integer.class))
          .commit();
      table.refresh();
      manifestsAfter = manifests().size();
    }
    return new Maintenance(expired, orphans[0], orphans[1], manifestsBefore, manifestsAfter);
  }

  private int countSnapshots() {
    int n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return n;
  }

  private List<ManifestFile> manifests() {
    Snapshot s = table.currentSnapshot();
    return s == null ? List.of() : s.allManifests(io);
  }

  /**
   * Deletes files under the table's location that nothing kept references and that are older
   * than the cutoff or were written by a failed run. Returns how many, and how many of those
   * were a failed run's.
   */
  private int[] removeOrphans(long cutoffMillis, java.util.function.Predicate<String> failedRun) {
    if (!(io instanceof SupportsPrefixOperations prefixes)) {
      LOG.warn("the table's storage cannot list files: orphan files are not removed");
      return new int[] {0, 0};
    }
    Set<String> referenced = referencedFiles();
    int deleted = 0;
    int ofFailedRuns = 0;
    for (FileInfo f : prefixes.listPrefix(table.location() + "/")) {
      if (referenced.contains(normalize(f.location()))) {
        continue;
      }
      boolean failed = runOf(f.location()).filter(failedRun).isPresent();
      if (!failed && f.createdAtMillis() >= cutoffMillis) {
        continue;
      }
      try {
        io.deleteFile(f.location());
        deleted++;
        ofFailedRuns += failed ? 1 : 0;
      } catch (RuntimeException e) {
        LOG.warn("cannot delete orphan file {} (the next maintenance retries): {}", f.location(), e.getMessage());
      }
    }
    return new int[] {deleted, ofFailedRuns};
  }

  /**
   * Every file a kept snapshot or the metadata log references. A data (or delete) file a kept snapshot
   * reads is in the current snapshot, or was added by a kept snapshot, or was removed by a
   * kept snapshot whose parent is kept too (the parent reads it); so only each kept snapshot's
   * own changes are read, never a whole old snapshot. A file removed by a snapshot whose parent
   * expired is read by no one, though Iceberg's expiry keeps it while that snapshot lives.
   */
  private Set<String> referencedFiles() {
    Set<String> refs = new HashSet<>();
    TableMetadata meta = ((org.apache.iceberg.HasTableOperations) table).operations().current();
    refs.add(normalize(meta.metadataFileLocation()));
    meta.previousFiles().forEach(e -> refs.add(normalize(e.file())));
    Set<Long> kept = new HashSet<>();
    table.snapshots().forEach(s -> kept.add(s.snapshotId()));
    for (Snapshot s : table.snapshots()) {
      refs.add(normalize(s.manifestListLocation()));
      for (ManifestFile m : s.allManifests(io)) {
        refs.add(normalize(m.path()));
      }
      org.apache.iceberg.SnapshotChanges changes = org.apache.iceberg.SnapshotChanges.builderFor(table).snapshot(s).build();
      changes.addedDataFiles().forEach(f -> refs.add(normalize(f.location())));
      changes.addedDeleteFiles().forEach(f -> refs.add(normalize(f.location())));
      if (s.parentId() != null && kept.contains(s.parentId())) {
        changes.removedDataFiles().forEach(f -> refs.add(normalize(f.location())));
        changes.removedDeleteFiles().forEach(f -> refs.add(normalize(f.location())));
      }
    }
    // with the delete files another engine wrote, which this engine does not read but must keep
    refs.addAll(currentFiles());
    return refs;
  }

  private static String normalize(String location) {
    if (location.startsWith("file:")) {
      return "file:" + StoreFileIO.path(location);
    }
    return location;
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

  static String firstLine(String s) {
    return FailureText.firstLine(s);
  }

  static void closeQuietly(Catalog c) {
    if (c instanceof AutoCloseable a) {
      try {
        a.close();
      } catch (Exception e) {
        LOG.debug("cannot close the catalog: {}", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(catalog);
    if (ownsIo) {
      io.close();
      SharedFileIO.release(io);
    }
  }
}
