package io.cdrpipeline.query;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The tables of a statement's database, each unqualified and under the configured database name:
 * first every table with its columns and no rows, then, for the tables a query names, the views
 * over the days its filters allow ({@link ProcessedView}, {@link RawView}) and the quarantine's
 * rows.
 */
final class TableViews {
  private static final Set<String> TABLES =
      Set.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE, ProcessedSchema.QUARANTINE_TABLE);

  private final Catalog catalog;
  private final String database;
  private final ProcessedView processed;
  private final RawView raw;

  /** The views every statement's database starts with: the tables' columns, no rows. */
  private final List<String> emptyTables;

  private List<QuarantinedFile> quarantine;

  TableViews(Catalog catalog, String database, ProcessedView processed, RawView raw) {
    this.catalog = catalog;
    this.database = database;
    this.processed = processed;
    this.raw = raw;
    this.emptyTables = tableStatements();
  }

  /** The statements that make every table with its columns and no rows. */
  List<String> emptyTables() {
    return emptyTables;
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
    ddl.add(view(ProcessedSchema.TABLE, emptySelect(processed.emptyShape())));
    ddl.add(view(ProcessedSchema.RAW_TABLE, emptySelect(raw.emptyShape())));
    ddl.add(
        "CREATE TABLE "
            + q(ProcessedSchema.QUARANTINE_TABLE)
            + " (source_key VARCHAR, reason VARCHAR, year INTEGER, month INTEGER, day INTEGER, detected_at TIMESTAMP)");
    if (!main()) {
      for (String t :
          List.of(
              ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE, ProcessedSchema.QUARANTINE_TABLE)) {
        ddl.add("CREATE VIEW main." + DuckDb.ident(t) + " AS SELECT * FROM " + q(t));
      }
    }
    return List.copyOf(ddl);
  }

  /** Makes the views of the tables the query reads, over the days its filters allow. */
  void bind(Connection duck, ReadOnlyQuery query, ReadablePaths readable)
      throws SQLException, IOException {
    Set<String> tables = query.tables(TABLES);
    if (query.describesOnly()) {
      return; // every table already has its columns
    }
    if (tables.contains(ProcessedSchema.QUARANTINE_TABLE)) {
      loadQuarantine(duck);
    }
    if (tables.contains(ProcessedSchema.RAW_TABLE)) {
      raw.checkLocal();
      replaceView(
          duck,
          ProcessedSchema.RAW_TABLE,
          raw.select(DayFilter.of(query.select(), ProcessedSchema.RAW_TABLE), readable));
    }
    if (tables.contains(ProcessedSchema.TABLE)) {
      replaceView(
          duck,
          ProcessedSchema.TABLE,
          processed.select(DayFilter.of(query.select(), ProcessedSchema.TABLE), readable));
    }
  }

  private void replaceView(Connection duck, String table, String select) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("CREATE OR REPLACE VIEW " + q(table) + " AS " + select);
      if (!main()) {
        // the alias is bound to the view's shape when made, so it is made again with it
        s.execute(
            "CREATE OR REPLACE VIEW main." + DuckDb.ident(table) + " AS SELECT * FROM " + q(table));
      }
    }
  }

  /**
   * True when the database name is DuckDB's own {@code main}, so the tables have no second name.
   */
  static boolean isMain(String database) {
    return database.equalsIgnoreCase("main");
  }

  private boolean main() {
    return isMain(database);
  }

  private String q(String table) {
    return main()
        ? "main." + DuckDb.ident(table)
        : DuckDb.ident(database) + "." + DuckDb.ident(table);
  }

  private String view(String table, String select) {
    return "CREATE VIEW " + q(table) + " AS " + select;
  }

  /** A select of no rows with these columns. */
  static String emptySelect(Map<String, ColumnType> columns) {
    return "SELECT "
        + columns.entrySet().stream()
            .map(e -> "CAST(NULL AS " + e.getValue().name() + ") AS " + DuckDb.ident(e.getKey()))
            .collect(Collectors.joining(", "))
        + " WHERE false";
  }

  private void loadQuarantine(Connection duck) throws SQLException {
    if (quarantine == null) {
      quarantine = catalog.quarantine(Optional.empty());
    }
    List<QuarantinedFile> rows = quarantine;
    try (DuckDBAppender a =
        ((DuckDBConnection) duck)
            .createAppender(main() ? "main" : database, ProcessedSchema.QUARANTINE_TABLE)) {
      for (QuarantinedFile f : rows) {
        a.beginRow()
            .append(f.sourceKey())
            .append(f.reason())
            .append(f.day().getYear())
            .append(f.day().getMonthValue())
            .append(f.day().getDayOfMonth())
            .appendEpochMicros(
                f.detectedAt().getEpochSecond() * 1_000_000L + f.detectedAt().getNano() / 1000)
            .endRow();
      }
      a.flush();
    }
  }
}
