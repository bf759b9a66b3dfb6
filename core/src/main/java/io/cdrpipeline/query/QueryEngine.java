package io.cdrpipeline.query;

import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.StoreFileIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * SQL over the catalog's tables (the Athena of the original) on embedded DuckDB. The tables
 * are views, each available unqualified and under the configured database name:
 * {@code processed_cdrs} over exactly the Parquet files the catalog has committed,
 * {@code amazon_chime_voice_connector_cdrs} over the crawled raw JSON, and
 * {@code quarantined_cdrs}.
 *
 * <p>A view is bound only when a query names its table, and only over the days the query's
 * filters on {@code year}, {@code month} and {@code day} allow, so a query pays for what it
 * reads. Only one read-only statement runs ({@link ReadOnlyQuery}), and DuckDB itself keeps it
 * read-only and confined: each statement runs in a DuckDB database of its own which, once its
 * views are made, may read exactly the files and day folders those views read, by their real
 * paths, never through a link, with external access off and its configuration locked. Each
 * engine spills into a temporary folder of its own ({@link ScratchDir}), each query is
 * interrupted at its time limit, and a result held whole in memory is bounded in bytes by
 * DuckDB before it reaches this JVM ({@link #streamBounded}).
 */
public final class QueryEngine implements AutoCloseable {
  private static final Set<String> TABLES =
      Set.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE, ProcessedSchema.QUARANTINE_TABLE);
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "query-timeout");
    t.setDaemon(true);
    return t;
  });

  /** What DuckDB says when a bounded result passes its bytes (our error(), raised inside the statement). */
  private static final String RESULT_LIMIT = "cdr: the result passed its byte limit";

  private final Catalog catalog;
  private final String database;
  private final java.util.function.Supplier<IcebergTable> table;
  private final ProcessedFiles processedFiles;
  private final ObjectStore rawStore;
  private final QueryLimits limits;
  private final ScratchDir scratch;
  /** The views every statement's database starts with: the tables' columns, no rows. */
  private final List<String> emptyTables;
  private List<QuarantinedFile> quarantine;
  /** The statement running now, so that another thread may stop it. */
  private volatile Statement running;

  /** Resolves a data file of the table to a local file DuckDB can read. */
  public interface ProcessedFiles {
    /** The local file of a data file's location (fetched first for a remote store). */
    Path localFile(String location) throws IOException;

    /** The folder every local file lives under: the only place DuckDB may read processed data from. */
    Path root();

    /** True when files must be fetched first (a remote store). */
    default boolean remote() {
      return false;
    }

    /** Called after each query, so a cache may evict what it no longer needs. */
    default void release() throws IOException {}

    /** The files of a table in a local folder, read in place; a file outside the folder is refused. */
    static ProcessedFiles local(IcebergTable table) {
      Objects.requireNonNull(table, "table is null");
      return local(StoreFileIO.path(table.location()));
    }

    /** The files of a table whose folder is {@code root}, read in place; a file outside it is refused. */
    static ProcessedFiles local(Path root) {
      Objects.requireNonNull(root, "root is null");
      return new ProcessedFiles() {
        @Override
        public Path localFile(String location) throws IOException {
          Path p = StoreFileIO.path(location);
          if (!p.startsWith(root)) {
            throw new IOException("data file " + location + " is outside the table's folder " + root);
          }
          return p;
        }

        @Override
        public Path root() {
          return root;
        }
      };
    }
  }

  private QueryEngine(Catalog catalog, String database, java.util.function.Supplier<IcebergTable> table,
      ProcessedFiles files, ObjectStore rawStore, QueryLimits limits, ScratchDir scratch) {
    this.catalog = catalog;
    this.database = database;
    this.table = table;
    this.processedFiles = files;
    this.rawStore = rawStore;
    this.limits = limits;
    this.scratch = scratch;
    this.emptyTables = tableStatements();
  }

  /**
   * Opens an engine. {@code rawStore} may be null when the raw table is not wanted;
   * {@code files} turns processed keys into local files (the folder itself, or a cache);
   * {@code tempRoot} is where this engine makes its own temporary folder.
   */
  public static QueryEngine open(Catalog catalog, String database, IcebergTable table, ProcessedFiles files,
      ObjectStore rawStore, QueryLimits limits, Path tempRoot) {
    Objects.requireNonNull(table, "table is null");
    return open(catalog, database, () -> table, files, rawStore, limits, tempRoot);
  }

  /**
   * Opens an engine whose processed table is opened only when a query reads it ({@code SELECT 1}
   * or a query of the raw table never opens the Iceberg catalog).
   */
  public static QueryEngine open(Catalog catalog, String database, java.util.function.Supplier<IcebergTable> table,
      ProcessedFiles files, ObjectStore rawStore, QueryLimits limits, Path tempRoot) {
    Objects.requireNonNull(catalog, "catalog is null");
    Objects.requireNonNull(table, "table is null");
    Objects.requireNonNull(database, "database is null");
    Objects.requireNonNull(files, "files is null");
    Objects.requireNonNull(limits, "limits is null");
    Objects.requireNonNull(tempRoot, "tempRoot is null");
    ScratchDir scratch;
    try {
      removeSharedLegacyFolder(tempRoot);
      scratch = ScratchDir.create(tempRoot, "query");
    } catch (IOException e) {
      throw new QueryException("cannot make a temporary folder in " + tempRoot + ": " + FailureText.firstLine(e.getMessage()), e);
    }
    try {
      return new QueryEngine(catalog, database, table, files, rawStore, limits, scratch);
    } catch (RuntimeException e) {
      scratch.close();
      throw e;
    }
  }

  /** Runs one read-only query and streams its result to the sink. */
  public void stream(String sql, QuerySink sink) throws IOException {
    run(sql, sink, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /**
   * Runs one read-only query whose result is held whole in memory: at most {@code maxRows}
   * rows reach the sink (the statement stops there), and a result whose text would pass
   * {@code query.resultLimit} bytes (counted by DuckDB, row by row, as each row's text) is
   * stopped inside DuckDB with a {@link ResultTooLargeException} before any of it reaches this
   * JVM. An {@code EXPLAIN} answers with its plan, which is not bounded.
   */
  public void streamBounded(String sql, long maxRows, QuerySink sink) throws IOException {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
    }
    run(sql, sink, maxRows, limits.resultBytes());
  }

  private void run(String sql, QuerySink sink, long maxRows, long maxBytes) throws IOException {
    Connection duck;
    try {
      duck = session();
    } catch (SQLException e) {
      throw new QueryException("cannot prepare the tables for querying: " + FailureText.firstLine(e.getMessage()), e);
    }
    try (duck) {
      try {
        runOn(duck, sql, sink, maxRows, maxBytes);
      } catch (SQLException e) {
        throw failure(duck, e, maxBytes); // while the connection is open: the line may look up a table's name
      }
    } catch (SQLException e) {
      throw failure(null, e, maxBytes);
    } finally {
      processedFiles.release();
    }
  }

  private void runOn(Connection duck, String sql, QuerySink sink, long maxRows, long maxBytes)
      throws SQLException, IOException {
    ReadOnlyQuery query = ReadOnlyQuery.parse(duck, sql);
    Readable readable = new Readable();
    bindTables(duck, query, readable);
    sandbox(duck, readable);
    boolean bounded = maxBytes < Long.MAX_VALUE && !query.explain();
    String text = bounded ? bounded(query.sql(), maxRows, maxBytes) : query.sql();
    try (PreparedStatement s = duck.prepareStatement(text)) {
      ResultSetMetaData md = s.getMetaData();
      int n = md.getColumnCount();
      List<String> names = new ArrayList<>(n);
      List<String> types = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        names.add(md.getColumnLabel(i));
        types.add(md.getColumnTypeName(i));
      }
      if (bounded && renamed(names)) {
        names = labels(duck, query.sql()); // query() renames a column whose name came before; the user's are these
      }
      AtomicBoolean timedOut = new AtomicBoolean();
      ScheduledFuture<?> timer = TIMER.schedule(() -> {
        timedOut.set(true);
        try {
          s.cancel();
        } catch (SQLException ignored) {
          // the statement ended meanwhile
        }
      }, limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
      running = s;
      try (ResultSet rs = s.executeQuery()) {
        sink.header(names, types);
        while (rs.next()) {
          List<Object> row = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            row.add(rs.getObject(i));
          }
          sink.row(row);
        }
        sink.end();
      } catch (SQLException e) {
        if (timedOut.get()) {
          throw new QueryException("the query took longer than " + describe(limits.timeout())
              + " and was stopped (query.timeout)", e);
        }
        throw e;
      } finally {
        running = null;
        timer.cancel(false);
      }
    }
  }

  /** The one-line failure of a statement; {@code duck} (may be null) names a near table. */
  private RuntimeException failure(Connection duck, SQLException e, long maxBytes) {
    if (e.getMessage() != null && e.getMessage().contains(RESULT_LIMIT)) {
      return new ResultTooLargeException(maxBytes, e);
    }
    String line = missingTable(duck, e).orElseGet(() -> describe(e));
    if (line.startsWith("Out of Memory Error")) {
      line += " (a query may use query.memoryLimit = " + limits.memoryBytes() + " bytes of memory and "
          + "query.maxTempSize = " + limits.maxTempBytes() + " bytes of temporary files)";
    }
    return new QueryException(line, e);
  }

  /**
   * The statement as DuckDB runs it bounded: the user's text through {@code query()} (so its
   * shape is untouched), each row's text counted by a streaming window, an error raised inside
   * DuckDB the moment the sum passes the bytes, and no row read past {@code maxRows}.
   */
  private static String bounded(String sql, long maxRows, long maxBytes) {
    return "SELECT * FROM query(" + DuckDb.literal(sql) + ") AS cdr_result"
        + " WINDOW cdr_rows AS (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        + " QUALIFY CASE WHEN count(*) OVER cdr_rows > " + maxRows + " THEN false"
        + " WHEN sum(strlen(CAST(cdr_result AS VARCHAR))) OVER cdr_rows > " + maxBytes
        + " THEN error(" + DuckDb.literal(RESULT_LIMIT) + ") ELSE true END"
        + (maxRows < Long.MAX_VALUE ? " LIMIT " + maxRows : "");
  }

  /** True if a name looks like one {@code query()} made of a name before it ({@code a}, {@code a_1}). */
  private static boolean renamed(List<String> names) {
    for (int i = 1; i < names.size(); i++) {
      int us = names.get(i).lastIndexOf('_');
      if (us > 0 && names.get(i).substring(us + 1).matches("\\d+")
          && names.subList(0, i).contains(names.get(i).substring(0, us))) {
        return true;
      }
    }
    return false;
  }

  /** The column names of a statement, as DuckDB binds it (nothing runs). */
  private static List<String> labels(Connection duck, String sql) throws SQLException {
    try (PreparedStatement p = duck.prepareStatement(sql)) {
      ResultSetMetaData md = p.getMetaData();
      List<String> names = new ArrayList<>(md.getColumnCount());
      for (int i = 1; i <= md.getColumnCount(); i++) {
        names.add(md.getColumnLabel(i));
      }
      return names;
    }
  }

  /** What one statement's views read: the only files and folders its database may open. */
  private static final class Readable {
    final Set<String> files = new java.util.LinkedHashSet<>();
    final Set<String> folders = new java.util.LinkedHashSet<>();
  }

  /** A database for one statement, with every table made (no rows) and nothing readable yet. */
  private Connection session() throws SQLException {
    Connection duck = DuckDb.open(limits.memoryBytes() + "B", scratch.path(), 0);
    try (Statement s = duck.createStatement()) {
      for (String ddl : emptyTables) {
        s.execute(ddl);
      }
    } catch (SQLException | RuntimeException e) {
      duck.close();
      throw e;
    }
    return duck;
  }

  /** Runs a read-only query and returns the whole result. */
  public QueryResult query(String sql) {
    List<String>[] header = new List[2];
    List<List<Object>> rows = new ArrayList<>();
    try {
      stream(sql, new QuerySink() {
        @Override
        public void header(List<String> columns, List<String> types) {
          header[0] = columns;
          header[1] = types;
        }

        @Override
        public void row(List<Object> values) {
          rows.add(values);
        }
      });
    } catch (IOException e) {
      throw new QueryException(FailureText.firstLine(e.getMessage()), e);
    }
    return new QueryResult(header[0], header[1], rows);
  }

  /**
   * Stops the statement running now, if one is (from another thread, e.g. when the service
   * stops): it ends with a {@link QueryException}.
   */
  public void cancel() {
    Statement s = running;
    if (s != null) {
      try {
        s.cancel();
      } catch (SQLException ignored) {
        // it ended meanwhile
      }
    }
  }

  /** The database (schema) name tables are available under, besides unqualified. */
  public String database() {
    return database;
  }

  /**
   * Every table with its columns and no rows, so that SHOW and DESCRIBE work before any binding;
   * made once, from the catalog, and run in each statement's database.
   */
  private List<String> tableStatements() {
    List<String> ddl = new ArrayList<>();
    if (!main()) {
      ddl.add("CREATE SCHEMA " + DuckDb.ident(database));
    }
    ddl.add(view(ProcessedSchema.TABLE, emptySelect(catalogShape())));
    ddl.add(view(ProcessedSchema.RAW_TABLE, emptySelect(rawShape(rawColumns()))));
    ddl.add("CREATE TABLE " + q(ProcessedSchema.QUARANTINE_TABLE)
        + " (source_key VARCHAR, reason VARCHAR, year INTEGER, month INTEGER, day INTEGER, detected_at TIMESTAMP)");
    if (!main()) {
      for (String t : List.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE, ProcessedSchema.QUARANTINE_TABLE)) {
        ddl.add("CREATE VIEW main." + DuckDb.ident(t) + " AS SELECT * FROM " + q(t));
      }
    }
    return List.copyOf(ddl);
  }

  /**
   * From here on this statement's database reads exactly what its views read (each file, or a
   * day folder holding nothing but files, by its real path), nothing else, and no statement can
   * change that. A link anywhere (in the bucket, in a day folder, as a folder) is never among
   * them, so no path through a link is readable: DuckDB compares the paths as written.
   */
  private void sandbox(Connection duck, Readable readable) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("SET max_temp_directory_size = '" + limits.maxTempBytes() + "B'");
      s.execute("SET allowed_directories = " + list(readable.folders));
      s.execute("SET allowed_paths = " + list(readable.files));
      s.execute("SET enable_external_access = false");
      s.execute("SET lock_configuration = true");
    }
  }

  private static String list(Set<String> items) {
    return items.isEmpty() ? "[]::VARCHAR[]"
        : "[" + items.stream().map(DuckDb::literal).collect(Collectors.joining(", ")) + "]";
  }

  /** Makes the views of the tables the query reads, over the days its filters allow. */
  private void bindTables(Connection duck, ReadOnlyQuery query, Readable readable) throws SQLException, IOException {
    Set<String> tables = query.tables(TABLES);
    if (query.describesOnly()) {
      return; // every table already has its columns
    }
    if (tables.contains(ProcessedSchema.QUARANTINE_TABLE)) {
      loadQuarantine(duck);
    }
    if (tables.contains(ProcessedSchema.RAW_TABLE)) {
      if (rawStore != null && rawRoot().isEmpty()) {
        throw new QueryException(ProcessedSchema.RAW_TABLE + " is only available for a CDR bucket in a local folder ("
            + rawStore.location().display() + " is not): query processed_cdrs instead", null);
      }
      replaceView(duck, ProcessedSchema.RAW_TABLE, rawSelect(DayFilter.of(query.select(), ProcessedSchema.RAW_TABLE), readable));
    }
    if (tables.contains(ProcessedSchema.TABLE)) {
      replaceView(duck, ProcessedSchema.TABLE, processedSelect(DayFilter.of(query.select(), ProcessedSchema.TABLE), readable));
    }
  }

  private void replaceView(Connection duck, String table, String select) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("CREATE OR REPLACE VIEW " + q(table) + " AS " + select);
      if (!main()) {
        // the alias is bound to the view's shape when made, so it is made again with it
        s.execute("CREATE OR REPLACE VIEW main." + DuckDb.ident(table) + " AS SELECT * FROM " + q(table));
      }
    }
  }

  private boolean main() {
    return database.equalsIgnoreCase("main");
  }

  private String q(String table) {
    return main() ? "main." + DuckDb.ident(table) : DuckDb.ident(database) + "." + DuckDb.ident(table);
  }

  private String view(String table, String select) {
    return "CREATE VIEW " + q(table) + " AS " + select;
  }

  private Optional<Path> rawRoot() {
    return rawStore == null ? Optional.empty() : rawStore.localPath(RawLayout.ROOT);
  }

  /**
   * The columns of the view before any binding: the catalog's copy of the table's schema (kept
   * in step at every commit), so that an engine opens without the Iceberg catalog.
   */
  private Map<String, ColumnType> catalogShape() {
    Map<String, ColumnType> cols = new LinkedHashMap<>();
    for (Column c : ProcessedSchema.COLUMNS) {
      cols.put(c.name(), c.type());
    }
    for (CatalogColumn c : catalog.columns(ProcessedSchema.TABLE)) {
      cols.putIfAbsent(c.name(), c.type());
    }
    return withPartitionsLast(cols);
  }

  /** The table's columns in schema order, partition columns last. */
  private Map<String, ColumnType> processedShape(IcebergTable table) {
    return withPartitionsLast(new LinkedHashMap<>(table.columns()));
  }

  private static Map<String, ColumnType> withPartitionsLast(Map<String, ColumnType> cols) {
    for (Column c : ProcessedSchema.PARTITION_COLUMNS) {
      cols.remove(c.name());
      cols.put(c.name(), c.type());
    }
    return cols;
  }

  /**
   * The view over the data files of the table's current snapshot that the filter may need,
   * planned from Iceberg's metadata (manifests pruned by partition). Its shape is the table's
   * schema whatever files it reads: columns a file lacks are NULL, each column has the
   * schema's type. No data file is opened here; DuckDB reads the footers once, when it runs.
   */
  private String processedSelect(DayFilter days, Readable readable) throws IOException {
    IcebergTable table = this.table.get().refresh();
    Map<String, ColumnType> shape = processedShape(table);
    List<String> files = new ArrayList<>();
    boolean hive = true;
    Path root = Nesting.real(processedFiles.root());
    for (IcebergTable.PlannedFile f : table.plan(days.expression())) {
      if (!days.allows(f.day())) {
        continue;
      }
      Path local = processedFiles.localFile(f.location());
      BasicFileAttributes a = attributes(local);
      if (a == null) {
        throw new QueryException("the processed file " + f.location() + " of " + f.day() + " is missing: rebuild "
            + "the day with 'cdr etl --date " + f.day() + "' (or filter the query to other days)", null);
      }
      // read by its real path, and only if that is a file of the table's folder, not a link out of it
      Path real = Nesting.real(local.toAbsolutePath().normalize().getParent()).resolve(local.getFileName());
      if (!a.isRegularFile() || !real.startsWith(root)) {
        throw new QueryException("the processed file " + f.location() + " of " + f.day() + " is a link or not a file, "
            + "and a query reads no links: rebuild the day with 'cdr etl --date " + f.day() + "' (or filter the query "
            + "to other days)", null);
      }
      // DuckDB prunes files by their folder names where a filter is beyond the engine's reading
      // (an OR): only when every folder says the file's day the way Iceberg's own layout does
      hive &= real.toString().contains("/year=" + f.day().getYear() + "/month=" + f.day().getMonthValue()
          + "/day=" + f.day().getDayOfMonth() + "/");
      files.add(real.toString());
      readable.files.add(real.toString());
    }
    if (files.isEmpty()) {
      return emptySelect(shape);
    }
    String source = "read_parquet([" + files.stream().map(DuckDb::literal).collect(Collectors.joining(", "))
        + "], union_by_name = true" + (hive ? ", hive_partitioning = true, "
        + "hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER}" : ", hive_partitioning = false") + ")";
    String outer = shape.entrySet().stream()
        .map(e -> "CAST(" + DuckDb.ident(e.getKey()) + " AS " + e.getValue().name() + ") AS " + DuckDb.ident(e.getKey()))
        .collect(Collectors.joining(", "));
    return "SELECT " + outer + " FROM (" + emptySelect(shape) + " UNION ALL BY NAME SELECT * FROM " + source + ")";
  }

  private static Map<String, ColumnType> rawShape(List<CatalogColumn> columns) {
    Map<String, ColumnType> shape = new LinkedHashMap<>();
    for (CatalogColumn c : columns) {
      shape.put(c.name(), c.type());
    }
    shape.put("voice_connector", ColumnType.VARCHAR);
    shape.put("year", ColumnType.INTEGER);
    shape.put("month", ColumnType.INTEGER);
    shape.put("day", ColumnType.INTEGER);
    shape.put("source_key", ColumnType.VARCHAR);
    return shape;
  }

  /**
   * The raw table's columns; one registered by an older version under a name the view cannot
   * have is left out until the next crawl renames it.
   */
  private List<CatalogColumn> rawColumns() {
    return catalog.columns(ProcessedSchema.RAW_TABLE).stream()
        .filter(c -> ProcessedSchema.isFieldColumnName(c.name()) && c.sourceName().indexOf(0) < 0)
        .collect(Collectors.toList());
  }

  /**
   * The view over the crawled raw folders of the days the filter allows, each by its real path:
   * a day folder reached through a link (the folder, its voice connector's, the bucket's
   * {@code json} folder) is left out, as the crawler and the ETL leave it out.
   */
  private String rawSelect(DayFilter days, Readable readable) {
    List<CatalogColumn> columns = rawColumns();
    List<String> globs = new ArrayList<>();
    Path bucket = rawStore == null ? null : rawStore.localPath("").map(Nesting::real).orElse(null);
    if (bucket != null && !columns.isEmpty()) {
      for (Partition p : catalog.partitions(ProcessedSchema.RAW_TABLE, ProcessedSchema.SOURCE_CDR)) {
        if (!days.allows(p.date())) {
          continue;
        }
        Optional<Path> dir = rawStore.localPath(RawLayout.ROOT + p.path());
        Path expected = bucket.resolve(RawLayout.ROOT + p.path()).normalize();
        if (dir.isEmpty() || !Nesting.real(dir.get()).equals(expected) || !Files.isDirectory(expected, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        RawFiles found = rawFiles(expected);
        globs.addAll(found.paths());
        if (found.folder()) {
          readable.folders.add(expected + "/");
        } else {
          readable.files.addAll(found.paths());
        }
      }
    }
    if (globs.isEmpty()) {
      return emptySelect(rawShape(columns));
    }
    String root = bucket.toString();
    // read_text + json functions rather than read_json: a malformed file is skipped (the ETL
    // quarantines it) and a pretty-printed record still reads.
    String projection = columns.stream()
        .map(c -> "TRY_CAST(json_extract_string(doc, " + DuckDb.literal(jsonPointer(c.sourceName()))
            + ") AS " + c.type().name() + ") AS " + DuckDb.ident(c.name()))
        .collect(Collectors.joining(", "));
    String pattern = DuckDb.literal("/json/([^/]+)/(\\d{4})/(\\d{2})/(\\d{2})/[^/]+$");
    return "SELECT " + projection
        + ", regexp_extract(filename, " + pattern + ", 1) AS voice_connector"
        + ", CAST(regexp_extract(filename, " + pattern + ", 2) AS INTEGER) AS year"
        + ", CAST(regexp_extract(filename, " + pattern + ", 3) AS INTEGER) AS month"
        + ", CAST(regexp_extract(filename, " + pattern + ", 4) AS INTEGER) AS day"
        + ", substr(filename, " + (root.length() + 2) + ") AS source_key"
        + " FROM (SELECT CASE WHEN json_valid(content) THEN CAST(content AS JSON) END AS doc, filename"
        + " FROM read_text([" + globs.stream().map(DuckDb::literal).collect(Collectors.joining(", ")) + "]))"
        + " WHERE json_type(doc) = 'OBJECT'";
  }

  /** What the raw view reads of a day folder: its glob ({@code folder}), or exactly these files. */
  record RawFiles(boolean folder, List<String> paths) {}

  /**
   * What the raw view reads of a day folder: the folder's glob when it holds only regular files
   * within the size limit, else exactly those files (also in sub-folders), as the ETL reads
   * them: never a link (it could lead out of the bucket or into a day read twice), a pipe, a
   * hidden file or a file over {@link InputLimits#MAX_FILE_BYTES}. One {@code lstat} per entry.
   */
  static RawFiles rawFiles(Path dir) {
    List<String> files = new ArrayList<>();
    boolean plain = collectRawFiles(dir, files);
    return plain ? new RawFiles(true, List.of(dir.resolve("*").toString())) : new RawFiles(false, files);
  }

  /** A file's own attributes (a link as a link), or null when there is nothing at the path. */
  private static BasicFileAttributes attributes(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** Adds the readable files under the folder; true when every entry of it is one. */
  private static boolean collectRawFiles(Path dir, List<String> out) {
    boolean plain = true;
    try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(e,
            java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        String name = e.getFileName().toString();
        if (a.isRegularFile() && a.size() <= InputLimits.MAX_FILE_BYTES && !name.startsWith(".")) {
          out.add(e.toString());
        } else {
          plain = false;
          if (a.isDirectory() && !name.startsWith(".")) {
            collectRawFiles(e, out);
          }
        }
      }
    } catch (IOException e) {
      return false; // an unreadable folder: what was listed of it, or nothing
    }
    return plain;
  }

  /** The JSON pointer (RFC 6901) of a top-level field: any name works, quotes and empty too. */
  private static String jsonPointer(String field) {
    return "/" + field.replace("~", "~0").replace("/", "~1");
  }

  private static String emptySelect(Map<String, ColumnType> columns) {
    return "SELECT " + columns.entrySet().stream()
        .map(e -> "CAST(NULL AS " + e.getValue().name() + ") AS " + DuckDb.ident(e.getKey()))
        .collect(Collectors.joining(", ")) + " WHERE false";
  }

  private void loadQuarantine(Connection duck) throws SQLException {
    if (quarantine == null) {
      quarantine = catalog.quarantine(Optional.empty());
    }
    List<QuarantinedFile> rows = quarantine;
    try (DuckDBAppender a = ((DuckDBConnection) duck).createAppender(
        main() ? "main" : database, ProcessedSchema.QUARANTINE_TABLE)) {
      for (QuarantinedFile f : rows) {
        a.beginRow()
            .append(f.sourceKey())
            .append(f.reason())
            .append(f.day().getYear())
            .append(f.day().getMonthValue())
            .append(f.day().getDayOfMonth())
            .appendEpochMicros(f.detectedAt().getEpochSecond() * 1_000_000L + f.detectedAt().getNano() / 1000)
            .endRow();
      }
      a.flush();
    }
  }

  /**
   * Removes {@code <tempRoot>/query}, where every query of older versions spilled: its files
   * belong to no live engine of this version.
   */
  private static void removeSharedLegacyFolder(Path tempRoot) {
    Path legacy = tempRoot.resolve("query");
    if (Files.isDirectory(legacy)) {
      ScratchDir.deleteTree(legacy);
    }
  }

  private static final java.util.regex.Pattern NO_TABLE =
      java.util.regex.Pattern.compile("Catalog Error: Table with name (\\S+) does not exist!");

  /**
   * A table that does not exist, named with the tables there are: DuckDB's own "did you mean"
   * looks among its system tables too (it suggests pg_sequences for nosuch), and names the
   * nearest table however far it is. Here a table of ours is suggested only when the name is a
   * slip of it (a few letters off, by DuckDB's Levenshtein distance).
   */
  private Optional<String> missingTable(Connection duck, SQLException e) {
    java.util.regex.Matcher missing = NO_TABLE.matcher(e.getMessage() == null ? "" : e.getMessage());
    if (!missing.find()) {
      return Optional.empty();
    }
    String name = missing.group(1);
    List<String> tables = List.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE, ProcessedSchema.QUARANTINE_TABLE);
    String near = null;
    String values = tables.stream().map(t -> "(" + DuckDb.literal(t) + ")").collect(Collectors.joining(", "));
    try (java.sql.PreparedStatement ps = duck == null ? null : duck.prepareStatement("SELECT t FROM (VALUES " + values + ") v(t) "
        + "WHERE levenshtein(lower(?), t) <= greatest(2, length(t) // 5) ORDER BY levenshtein(lower(?), t), t LIMIT 1")) {
      if (ps == null) {
        throw new SQLException("no connection");
      }
      ps.setString(1, name);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        near = rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException | RuntimeException noSuggestion) {
      // the line says which tables there are anyway
    }
    return Optional.of("no table " + name + (near == null ? "" : " (did you mean " + near + "?)")
        + "; the tables are " + String.join(", ", tables)
        + (main() ? "" : " (also under the database name, e.g. " + database + "." + ProcessedSchema.TABLE + ")"));
  }

  /** One line for the user: DuckDB's first line, plus its suggestion if it made one. */
  static String describe(SQLException e) {
    String m = e.getMessage() == null ? "query failed" : e.getMessage();
    String[] lines = m.split("\n");
    StringBuilder b = new StringBuilder(lines[0].trim());
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i].trim();
      if (l.toLowerCase(Locale.ROOT).startsWith("did you mean")) {
        b.append(' ').append(l);
      }
    }
    return b.toString();
  }

  private static String describe(java.time.Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    scratch.close();
  }
}
