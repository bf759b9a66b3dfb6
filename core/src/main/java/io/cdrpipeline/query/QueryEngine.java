package io.cdrpipeline.query;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.StoreFileIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * SQL over the catalog's tables (the Athena of the original) on embedded DuckDB. The tables are
 * views, each available unqualified and under the configured database name: {@code processed_cdrs}
 * over exactly the Parquet files the catalog has committed, {@code
 * amazon_chime_voice_connector_cdrs} over the crawled raw JSON, and {@code quarantined_cdrs}.
 *
 * <p>A view is bound only when a query names its table, and only over the days the query's filters
 * on {@code year}, {@code month} and {@code day} allow, so a query pays for what it reads. Only one
 * read-only statement runs ({@link ReadOnlyQuery}), and DuckDB itself keeps it read-only and
 * confined: each statement runs in a DuckDB database of its own which, once its views are made, may
 * read exactly the files and day folders those views read, by their real paths, never through a
 * link, with external access off and its configuration locked. Each engine spills into a temporary
 * folder of its own ({@link ScratchDir}), each query is interrupted at its time limit, and a result
 * held whole in memory is bounded in bytes by DuckDB before it reaches this JVM ({@link
 * #streamBounded}).
 *
 * <p>This class opens an engine and runs each statement through its parts: {@link TableViews} (the
 * tables, {@link ProcessedView}, {@link RawView}), {@link Sandbox}, {@link ResultStreamer} ({@link
 * BoundedQuery}) and {@link FailureLine}.
 */
public final class QueryEngine implements AutoCloseable {
  private final String database;
  private final ProcessedFiles processedFiles;
  private final QueryLimits limits;
  private final ScratchDir scratch;
  private final TableViews views;
  private final ResultStreamer streamer;
  private final FailureLine failures;

  /** Resolves a data file of the table to a local file DuckDB can read. */
  public interface ProcessedFiles {
    /** The local file of a data file's location (fetched first for a remote store). */
    Path localFile(String location) throws IOException;

    /**
     * The folder every local file lives under: the only place DuckDB may read processed data from.
     */
    Path root();

    /** True when files must be fetched first (a remote store). */
    default boolean remote() {
      return false;
    }

    /** Called after each query, so a cache may evict what it no longer needs. */
    default void release() throws IOException {}

    /**
     * The files of a table in a local folder, read in place; a file outside the folder is refused.
     */
    static ProcessedFiles local(IcebergTable table) {
      Objects.requireNonNull(table, "table is null");
      return local(StoreFileIO.path(table.location()));
    }

    /**
     * The files of a table whose folder is {@code root}, read in place; a file outside it is
     * refused.
     */
    static ProcessedFiles local(Path root) {
      Objects.requireNonNull(root, "root is null");
      return new ProcessedFiles() {
        @Override
        public Path localFile(String location) throws IOException {
          Path p = StoreFileIO.path(location);
          if (!p.startsWith(root)) {
            throw new IOException(
                "data file " + location + " is outside the table's folder " + root);
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

  private QueryEngine(
      Catalog catalog,
      String database,
      Supplier<IcebergTable> table,
      ProcessedFiles files,
      ObjectStore rawStore,
      QueryLimits limits,
      ScratchDir scratch) {
    this.database = database;
    this.processedFiles = files;
    this.limits = limits;
    this.scratch = scratch;
    this.views =
        new TableViews(
            catalog,
            database,
            new ProcessedView(catalog, table, files),
            new RawView(catalog, rawStore));
    this.streamer = new ResultStreamer(limits);
    this.failures = new FailureLine(database, limits);
  }

  /**
   * Opens an engine. {@code rawStore} may be null when the raw table is not wanted; {@code files}
   * turns processed keys into local files (the folder itself, or a cache); {@code tempRoot} is
   * where this engine makes its own temporary folder.
   */
  public static QueryEngine open(
      Catalog catalog,
      String database,
      IcebergTable table,
      ProcessedFiles files,
      ObjectStore rawStore,
      QueryLimits limits,
      Path tempRoot) {
    Objects.requireNonNull(table, "table is null");
    return open(catalog, database, () -> table, files, rawStore, limits, tempRoot);
  }

  /**
   * Opens an engine whose processed table is opened only when a query reads it ({@code SELECT 1} or
   * a query of the raw table never opens the Iceberg catalog).
   */
  public static QueryEngine open(
      Catalog catalog,
      String database,
      Supplier<IcebergTable> table,
      ProcessedFiles files,
      ObjectStore rawStore,
      QueryLimits limits,
      Path tempRoot) {
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
      throw new QueryException(
          "cannot make a temporary folder in "
              + tempRoot
              + ": "
              + FailureText.firstLine(e.getMessage()),
          e);
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
   * Runs one read-only query whose result is held whole in memory: at most {@code maxRows} rows
   * reach the sink (the statement stops there), and a result whose text would pass {@code
   * query.resultLimit} bytes (counted by DuckDB, row by row, as each row's text) is stopped inside
   * DuckDB with a {@link ResultTooLargeException} before any of it reaches this JVM. An {@code
   * EXPLAIN} answers with its plan, which is not bounded.
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
      throw new QueryException(
          "cannot prepare the tables for querying: " + FailureText.firstLine(e.getMessage()), e);
    }
    try (duck) {
      try {
        runOn(duck, sql, sink, maxRows, maxBytes);
      } catch (SQLException e) {
        throw failures.of(
            duck, e, maxBytes); // while the connection is open: the line may look up a table's name
      }
    } catch (SQLException e) {
      throw failures.of(null, e, maxBytes);
    } finally {
      processedFiles.release();
    }
  }

  private void runOn(Connection duck, String sql, QuerySink sink, long maxRows, long maxBytes)
      throws SQLException, IOException {
    ReadOnlyQuery query = ReadOnlyQuery.parse(duck, sql);
    ReadablePaths readable = new ReadablePaths();
    views.bind(duck, query, readable);
    Sandbox.confine(duck, readable, limits);
    streamer.stream(duck, query, sink, maxRows, maxBytes);
  }

  /** A database for one statement, with every table made (no rows) and nothing readable yet. */
  private Connection session() throws SQLException {
    Connection duck = DuckDb.open(limits.memoryBytes() + "B", scratch.path(), 0);
    try (Statement s = duck.createStatement()) {
      for (String ddl : views.emptyTables()) {
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
      stream(
          sql,
          new QuerySink() {
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
   * Stops the statement running now, if one is (from another thread, e.g. when the service stops):
   * it ends with a {@link QueryException}.
   */
  public void cancel() {
    streamer.cancel();
  }

  /** The database (schema) name tables are available under, besides unqualified. */
  public String database() {
    return database;
  }

  /**
   * Removes {@code <tempRoot>/query}, where every query of older versions spilled: its files belong
   * to no live engine of this version.
   */
  private static void removeSharedLegacyFolder(Path tempRoot) {
    Path legacy = tempRoot.resolve("query");
    if (Files.isDirectory(legacy)) {
      ScratchDir.deleteTree(legacy);
    }
  }

  @Override
  public void close() {
    scratch.close();
  }
}
