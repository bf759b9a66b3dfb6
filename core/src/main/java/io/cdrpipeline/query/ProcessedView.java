package io.cdrpipeline.query;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.table.IcebergTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The view of {@code processed_cdrs}: exactly the Parquet files the table's current snapshot holds
 * for the days a query may read, in the table's schema.
 */
final class ProcessedView {
  private final Catalog catalog;
  private final Supplier<IcebergTable> table;
  private final QueryEngine.ProcessedFiles processedFiles;

  ProcessedView(
      Catalog catalog, Supplier<IcebergTable> table, QueryEngine.ProcessedFiles processedFiles) {
    this.catalog = catalog;
    this.table = table;
    this.processedFiles = processedFiles;
  }

  /**
   * The columns of the view before any binding: the catalog's copy of the table's schema (kept in
   * step at every commit), so that an engine opens without the Iceberg catalog.
   */
  Map<String, ColumnType> emptyShape() {
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
  private static Map<String, ColumnType> processedShape(IcebergTable table) {
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
   * The view over the data files of the table's current snapshot that the filter may need, planned
   * from Iceberg's metadata (manifests pruned by partition). Its shape is the table's schema
   * whatever files it reads: columns a file lacks are NULL, each column has the schema's type. No
   * data file is opened here; DuckDB reads the footers once, when it runs.
   */
  String select(DayFilter days, ReadablePaths readable) throws IOException {
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
        throw new QueryException(
            "the processed file "
                + f.location()
                + " of "
                + f.day()
                + " is missing: rebuild "
                + "the day with 'cdr etl --date "
                + f.day()
                + "' (or filter the query to other days)",
            null);
      }
      // read by its real path, and only if that is a file of the table's folder, not a link out of
      // it
      Path real =
          Nesting.real(local.toAbsolutePath().normalize().getParent()).resolve(local.getFileName());
      if (!a.isRegularFile() || !real.startsWith(root)) {
        throw new QueryException(
            "the processed file "
                + f.location()
                + " of "
                + f.day()
                + " is a link or not a file, "
                + "and a query reads no links: rebuild the day with 'cdr etl --date "
                + f.day()
                + "' (or filter the query "
                + "to other days)",
            null);
      }
      // DuckDB prunes files by their folder names where a filter is beyond the engine's reading
      // (an OR): only when every folder says the file's day the way Iceberg's own layout does
      hive &=
          real.toString()
              .contains(
                  "/year="
                      + f.day().getYear()
                      + "/month="
                      + f.day().getMonthValue()
                      + "/day="
                      + f.day().getDayOfMonth()
                      + "/");
      files.add(real.toString());
      readable.files.add(real.toString());
    }
    if (files.isEmpty()) {
      return TableViews.emptySelect(shape);
    }
    String source =
        "read_parquet(["
            + files.stream().map(DuckDb::literal).collect(Collectors.joining(", "))
            + "], union_by_name = true"
            + (hive
                ? ", hive_partitioning = true, "
                    + "hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER}"
                : ", hive_partitioning = false")
            + ")";
    String outer =
        shape.entrySet().stream()
            .map(
                e ->
                    "CAST("
                        + DuckDb.ident(e.getKey())
                        + " AS "
                        + e.getValue().name()
                        + ") AS "
                        + DuckDb.ident(e.getKey()))
            .collect(Collectors.joining(", "));
    return "SELECT "
        + outer
        + " FROM ("
        + TableViews.emptySelect(shape)
        + " UNION ALL BY NAME SELECT * FROM "
        + source
        + ")";
  }

  /** A file's own attributes (a link as a link), or null when there is nothing at the path. */
  private static BasicFileAttributes attributes(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
