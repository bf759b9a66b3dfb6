package io.cdrpipeline.query;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
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
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * SQL over the catalog's tables (the Athena of the original) on embedded DuckDB. The tables
 * are views, each available unqualified and under the configured database name:
 * {@code processed_cdrs} over exactly the Parquet files the catalog has committed (Hive
 * partitions year/month/day, pruned by filters), {@code amazon_chime_voice_connector_cdrs}
 * over the crawled raw JSON, and {@code quarantined_cdrs}. Only read-only statements run.
 */
public final class QueryEngine implements AutoCloseable {
  private static final Pattern MENTIONS_QUARANTINE = Pattern.compile("(?i)quarantined_cdrs");
  private static final Pattern MENTIONS_RAW = Pattern.compile("(?i)" + ProcessedSchema.RAW_TABLE);

  private final Catalog catalog;
  private final String database;
  private final Connection duck;
  private final ProcessedFiles processedFiles;
  private final ObjectStore rawStore;
  private boolean quarantineLoaded;

  /** Resolves a committed processed file key to a local file DuckDB can read. */
  @FunctionalInterface
  public interface ProcessedFiles {
    Path localFile(String key) throws IOException;

    /**
     * True when files must be fetched first (a remote store): then each query gets a view of
     * only the days its partition filters allow, and only those files are fetched.
     */
    default boolean remote() {
      return false;
    }

    /** Called after each query, so a cache may evict what it no longer needs. */
    default void release() throws IOException {}
  }

  private QueryEngine(Catalog catalog, String database, Connection duck, ProcessedFiles files, ObjectStore rawStore) {
    this.catalog = catalog;
    this.database = database;
    this.duck = duck;
    this.processedFiles = files;
    this.rawStore = rawStore;
  }

  /**
   * Opens an engine. {@code rawStore} may be null when the raw table is not wanted;
   * {@code files} turns processed keys into local files (the folder itself, or a cache).
   */
  public static QueryEngine open(Catalog catalog, String database, ProcessedFiles files, ObjectStore rawStore,
      String memoryLimit, Path tempDir) {
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(database, "database");
    try {
      Connection duck = DuckDb.open(memoryLimit, tempDir, 0);
      QueryEngine engine = new QueryEngine(catalog, database, duck, files, rawStore);
      try {
        engine.createViews();
      } catch (SQLException | IOException | RuntimeException e) {
        duck.close();
        throw e;
      }
      return engine;
    } catch (SQLException | IOException e) {
      throw new QueryException("cannot prepare the tables for querying: " + firstLine(e.getMessage()), e);
    }
  }

  /** Runs a read-only query and streams its result to the sink. */
  public void stream(String sql, QuerySink sink) throws IOException {
    ReadOnlyGuard.check(sql);
    try {
      if (!quarantineLoaded && MENTIONS_QUARANTINE.matcher(sql).find()) {
        loadQuarantine();
      }
      if (rawStore != null && rawStore.localPath("").isEmpty() && MENTIONS_RAW.matcher(sql).find()) {
        throw new QueryException(ProcessedSchema.RAW_TABLE + " is only available for a CDR bucket in a local folder ("
            + rawStore.location().display() + " is not): query processed_cdrs instead", null);
      }
      if (processedFiles.remote()) {
        try (Statement s = duck.createStatement()) {
          s.execute("CREATE OR REPLACE VIEW " + q(ProcessedSchema.TABLE) + " AS " + processedSelect(DayFilter.of(duck, sql)));
          if (!database.equalsIgnoreCase("main")) {
            s.execute("CREATE OR REPLACE VIEW main." + DuckDb.ident(ProcessedSchema.TABLE) + " AS SELECT * FROM "
                + q(ProcessedSchema.TABLE));
          }
        }
      }
      try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> names = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          names.add(md.getColumnLabel(i));
          types.add(md.getColumnTypeName(i));
        }
        sink.header(names, types);
        while (rs.next()) {
          List<Object> row = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            row.add(rs.getObject(i));
          }
          sink.row(row);
        }
        sink.end();
      }
    } catch (SQLException e) {
      throw new QueryException(describe(e), e);
    } finally {
      processedFiles.release();
    }
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
      throw new QueryException(firstLine(e.getMessage()), e);
    }
    return new QueryResult(header[0], header[1], rows);
  }

  /** The database (schema) name tables are available under, besides unqualified. */
  public String database() {
    return database;
  }

  private void createViews() throws SQLException, IOException {
    try (Statement s = duck.createStatement()) {
      if (!database.equalsIgnoreCase("main")) {
        s.execute("CREATE SCHEMA " + DuckDb.ident(database));
      }
      s.execute(view(ProcessedSchema.TABLE, processedSelect(processedFiles.remote() ? null : DayFilter.all())));
      s.execute(view(ProcessedSchema.RAW_TABLE, rawSelect()));
      s.execute("CREATE TABLE " + q(ProcessedSchema.QUARANTINE_TABLE)
          + " (source_key VARCHAR, reason VARCHAR, year INTEGER, month INTEGER, day INTEGER, detected_at TIMESTAMP)");
      if (!database.equalsIgnoreCase("main")) {
        for (String t : List.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE, ProcessedSchema.QUARANTINE_TABLE)) {
          s.execute("CREATE VIEW main." + DuckDb.ident(t) + " AS SELECT * FROM " + q(t));
        }
      }
    }
  }

  private String q(String table) {
    return database.equalsIgnoreCase("main") ? "main." + DuckDb.ident(table)
        : DuckDb.ident(database) + "." + DuckDb.ident(table);
  }

  private String view(String table, String select) {
    return "CREATE VIEW " + q(table) + " AS " + select;
  }

  /** The view over the committed files of the days the filter allows (none for null). */
  private String processedSelect(DayFilter days) throws IOException {
    List<String> files = new ArrayList<>();
    for (ProcessedDay d : days == null ? List.<ProcessedDay>of() : catalog.processedDays()) {
      if (!days.allows(d.day())) {
        continue;
      }
      for (ProcessedDay.ProcessedFile f : d.files()) {
        files.add(processedFiles.localFile(f.key()).toString());
      }
    }
    // every column the table has ever had, in catalog order, so the view's shape does not
    // depend on which files a query reads
    Map<String, ColumnType> cols = new LinkedHashMap<>();
    for (Column c : ProcessedSchema.COLUMNS) {
      cols.put(c.name(), c.type());
    }
    for (CatalogColumn c : catalog.columns(ProcessedSchema.TABLE)) {
      cols.putIfAbsent(c.name(), c.type());
    }
    if (files.isEmpty()) {
      for (Column c : ProcessedSchema.PARTITION_COLUMNS) {
        cols.put(c.name(), c.type());
      }
      return emptySelect(cols);
    }
    String list = files.stream().map(DuckDb::literal).collect(Collectors.joining(", "));
    String source = "read_parquet([" + list + "], hive_partitioning = true, union_by_name = true, "
        + "hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER})";
    java.util.Set<String> present = new java.util.HashSet<>();
    try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + source)) {
      while (rs.next()) {
        present.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IOException("cannot read the processed files: " + firstLine(e.getMessage()), e);
    }
    StringBuilder select = new StringBuilder("SELECT ");
    cols.forEach((name, type) -> select.append(present.contains(name) ? DuckDb.ident(name)
        : "CAST(NULL AS " + type.name() + ") AS " + DuckDb.ident(name)).append(", "));
    present.stream().filter(c -> !cols.containsKey(c) && !List.of("year", "month", "day").contains(c)).sorted()
        .forEach(c -> select.append(DuckDb.ident(c)).append(", "));
    return select.append("year, month, day FROM ").append(source).toString();
  }

  private String rawSelect() {
    // a column registered by an older version under a name the view cannot have is left out
    // until the next crawl renames it
    List<CatalogColumn> columns = catalog.columns(ProcessedSchema.RAW_TABLE).stream()
        .filter(c -> ProcessedSchema.isFieldColumnName(c.name()) && c.sourceName().indexOf(0) < 0)
        .collect(Collectors.toList());
    Map<String, ColumnType> shape = new LinkedHashMap<>();
    for (CatalogColumn c : columns) {
      shape.put(c.name(), c.type());
    }
    shape.put("voice_connector", ColumnType.VARCHAR);
    shape.put("year", ColumnType.INTEGER);
    shape.put("month", ColumnType.INTEGER);
    shape.put("day", ColumnType.INTEGER);
    shape.put("source_key", ColumnType.VARCHAR);
    List<String> globs = new ArrayList<>();
    if (rawStore != null && !columns.isEmpty()) {
      for (Partition p : catalog.partitions(ProcessedSchema.RAW_TABLE, Crawler.SOURCE_CDR)) {
        Optional<Path> dir = rawStore.localPath(RawLayout.ROOT + p.path());
        dir.ifPresent(d -> globs.add(d.resolve("*").toString()));
      }
    }
    if (globs.isEmpty()) {
      return emptySelect(shape);
    }
    String root = rawStore.localPath("").map(Path::toString).orElse("");
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

  /** The JSON pointer (RFC 6901) of a top-level field: any name works, quotes and empty too. */
  private static String jsonPointer(String field) {
    return "/" + field.replace("~", "~0").replace("/", "~1");
  }

  private static String emptySelect(Map<String, ColumnType> columns) {
    return "SELECT " + columns.entrySet().stream()
        .map(e -> "CAST(NULL AS " + e.getValue().name() + ") AS " + DuckDb.ident(e.getKey()))
        .collect(Collectors.joining(", ")) + " WHERE false";
  }

  private void loadQuarantine() throws SQLException {
    List<QuarantinedFile> rows = catalog.quarantine(Optional.empty());
    try (DuckDBAppender a = ((DuckDBConnection) duck).createAppender(
        database.equalsIgnoreCase("main") ? "main" : database, ProcessedSchema.QUARANTINE_TABLE)) {
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
    quarantineLoaded = true;
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

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void close() {
    try {
      duck.close();
    } catch (SQLException ignored) {
      // nothing to do: the database is in memory
    }
  }
}
