package io.cdrpipeline.query;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.ObjectStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The view of {@code amazon_chime_voice_connector_cdrs}: the crawled raw JSON of the CDR bucket (a
 * local folder only), with the columns the crawler registered, over the day folders a query may
 * read.
 */
final class RawView {
  private final Catalog catalog;

  /** The CDR bucket, or null when the raw table is not wanted. */
  private final ObjectStore rawStore;

  RawView(Catalog catalog, ObjectStore rawStore) {
    this.catalog = catalog;
    this.rawStore = rawStore;
  }

  /** Refuses a query of the raw table when the CDR bucket is not a local folder. */
  void checkLocal() {
    if (rawStore != null && rawRoot().isEmpty()) {
      throw new QueryException(
          ProcessedSchema.RAW_TABLE
              + " is only available for a CDR bucket in a local folder ("
              + rawStore.location().display()
              + " is not): query processed_cdrs instead",
          null);
    }
  }

  private Optional<Path> rawRoot() {
    return rawStore == null ? Optional.empty() : rawStore.localPath(RawLayout.ROOT);
  }

  /** The view's columns before any binding. */
  Map<String, ColumnType> emptyShape() {
    return rawShape(rawColumns());
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
   * The raw table's columns; one registered by an older version under a name the view cannot have
   * is left out until the next crawl renames it.
   */
  private List<CatalogColumn> rawColumns() {
    return catalog.columns(ProcessedSchema.RAW_TABLE).stream()
        .filter(c -> ProcessedSchema.isFieldColumnName(c.name()) && c.sourceName().indexOf(0) < 0)
        .collect(Collectors.toList());
  }

  /**
   * The view over the crawled raw folders of the days the filter allows, each by its real path: a
   * day folder reached through a link (the folder, its voice connector's, the bucket's {@code json}
   * folder) is left out, as the crawler and the ETL leave it out.
   */
  String select(DayFilter days, ReadablePaths readable) {
    List<CatalogColumn> columns = rawColumns();
    List<String> globs = new ArrayList<>();
    Path bucket = rawStore == null ? null : rawStore.localPath("").map(Nesting::real).orElse(null);
    if (bucket != null && !columns.isEmpty()) {
      for (Partition p :
          catalog.partitions(ProcessedSchema.RAW_TABLE, ProcessedSchema.SOURCE_CDR)) {
        if (!days.allows(p.date())) {
          continue;
        }
        Optional<Path> dir = rawStore.localPath(RawLayout.ROOT + p.path());
        Path expected = bucket.resolve(RawLayout.ROOT + p.path()).normalize();
        if (dir.isEmpty()
            || !Nesting.real(dir.get()).equals(expected)
            || !Files.isDirectory(expected, LinkOption.NOFOLLOW_LINKS)) {
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
      return TableViews.emptySelect(rawShape(columns));
    }
    String root = bucket.toString();
    // read_text + json functions rather than read_json: a malformed file is skipped (the ETL
    // quarantines it) and a pretty-printed record still reads.
    String projection =
        columns.stream()
            .map(
                c ->
                    "TRY_CAST(json_extract_string(doc, "
                        + DuckDb.literal(jsonPointer(c.sourceName()))
                        + ") AS "
                        + c.type().name()
                        + ") AS "
                        + DuckDb.ident(c.name()))
            .collect(Collectors.joining(", "));
    String pattern = DuckDb.literal("/json/([^/]+)/(\\d{4})/(\\d{2})/(\\d{2})/[^/]+$");
    return "SELECT "
        + projection
        + ", regexp_extract(filename, "
        + pattern
        + ", 1) AS voice_connector"
        + ", CAST(regexp_extract(filename, "
        + pattern
        + ", 2) AS INTEGER) AS year"
        + ", CAST(regexp_extract(filename, "
        + pattern
        + ", 3) AS INTEGER) AS month"
        + ", CAST(regexp_extract(filename, "
        + pattern
        + ", 4) AS INTEGER) AS day"
        + ", substr(filename, "
        + (root.length() + 2)
        + ") AS source_key"
        + " FROM (SELECT CASE WHEN json_valid(content) THEN CAST(content AS JSON) END AS doc, filename"
        + " FROM read_text(["
        + globs.stream().map(DuckDb::literal).collect(Collectors.joining(", "))
        + "]))"
        + " WHERE json_type(doc) = 'OBJECT'";
  }

  /** What the raw view reads of a day folder: its glob ({@code folder}), or exactly these files. */
  record RawFiles(boolean folder, List<String> paths) {}

  /**
   * What the raw view reads of a day folder: the folder's glob when it holds only regular files
   * within the size limit, else exactly those files (also in sub-folders), as the ETL reads them:
   * never a link (it could lead out of the bucket or into a day read twice), a pipe, a hidden file
   * or a file over {@link InputLimits#MAX_FILE_BYTES}. One {@code lstat} per entry.
   */
  static RawFiles rawFiles(Path dir) {
    List<String> files = new ArrayList<>();
    boolean plain = collectRawFiles(dir, files);
    return plain
        ? new RawFiles(true, List.of(dir.resolve("*").toString()))
        : new RawFiles(false, files);
  }

  /** Adds the readable files under the folder; true when every entry of it is one. */
  private static boolean collectRawFiles(Path dir, List<String> out) {
    boolean plain = true;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        BasicFileAttributes a =
            Files.readAttributes(e, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
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
}
