package io.cdrpipeline.etl;

import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RowRules;
import io.cdrpipeline.table.DayTarget;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a day's staged rows as one Parquet file with DuckDB, by the {@link RowRules}: unknown
 * fields kept to the limit and placed in their columns (added to the table first), duplicate calls
 * across buckets removed, sorted, each column carrying the table's field id.
 */
final class DayParquet {
  /** Logged as the engine, as before this class was apart from it. */
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEngine.class);

  private final DayTarget target;
  private final LocalDate day;
  private final int sourceCount;
  private final DayReading reading;
  private final List<StagingFile> staged;
  private final Map<String, ColumnType> extraTypes;
  private Path fieldRejects;

  DayParquet(DayTarget target, int sourceCount, DayReading reading) {
    this.target = target;
    this.day = target.day();
    this.sourceCount = sourceCount;
    this.reading = reading;
    this.staged = reading.staged();
    this.extraTypes = reading.extraTypes();
  }

  /** Writes the rows to {@code parquet}; returns how many. */
  long write(Statement s, Path work, Path parquet) throws SQLException {
    s.execute("SET preserve_insertion_order = false");
    List<String> dropped = limitUnknownFields(s, work);
    Map<String, RowRules.ExtraPlacement> extras = placeExtras();
    Map<String, Integer> ids = target.addColumns(newColumns(extras));
    return s.executeUpdate(
        "COPY ("
            + selectSql(dropped, extras)
            + ") TO "
            + DuckDb.literal(parquet.toString())
            + " (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880, FIELD_IDS "
            + fieldIds(ids, extras)
            + ")");
  }

  /** The files quarantined for an unknown field beyond the limit (source key, reason), if any. */
  Optional<Path> fieldRejects() {
    return Optional.ofNullable(fieldRejects);
  }

  /**
   * Where each unknown field of the day goes, by the {@link RowRules}, given the table's columns.
   */
  private Map<String, RowRules.ExtraPlacement> placeExtras() {
    Map<String, ColumnType> table = target.columns();
    Map<String, RowRules.ExtraPlacement> out = new LinkedHashMap<>();
    for (String name : new TreeSet<>(extraTypes.keySet())) {
      out.put(
          name,
          RowRules.placeExtra(name, extraTypes.get(name), Optional.ofNullable(table.get(name))));
    }
    return out;
  }

  private List<Column> newColumns(Map<String, RowRules.ExtraPlacement> extras) {
    List<Column> cols = new ArrayList<>();
    for (RowRules.ExtraPlacement p : extras.values()) {
      cols.add(new Column(p.column(), p.type()));
      p.textColumn().ifPresent(t -> cols.add(new Column(t, ColumnType.VARCHAR)));
    }
    return cols;
  }

  /** DuckDB's FIELD_IDS option: every column the file has, with the table's id of it. */
  private String fieldIds(Map<String, Integer> ids, Map<String, RowRules.ExtraPlacement> extras) {
    List<String> names = new ArrayList<>();
    ProcessedSchema.COLUMNS.forEach(c -> names.add(c.name()));
    for (RowRules.ExtraPlacement p : extras.values()) {
      names.add(p.column());
      p.textColumn().ifPresent(names::add);
    }
    ProcessedSchema.PARTITION_COLUMNS.forEach(c -> names.add(c.name()));
    return names.stream()
        .map(
            n -> {
              Integer id = ids.get(n);
              if (id == null) {
                throw new IllegalStateException("the table has no column " + n);
              }
              return DuckDb.ident(n) + ": " + id;
            })
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /**
   * Keeps the day to {@link InputLimits#MAX_UNKNOWN_FIELDS} unknown fields, the most common ones
   * (then by name): each is a column that widens every row of the day. The files that bring any
   * other are quarantined. Returns the fields left out (usually none).
   */
  private List<String> limitUnknownFields(Statement s, Path work) throws SQLException {
    if (extraTypes.size() <= InputLimits.MAX_UNKNOWN_FIELDS) {
      return List.of();
    }
    List<String> ranked = new ArrayList<>();
    try (ResultSet rs =
        s.executeQuery(
            "SELECT k FROM (SELECT unnest(json_keys(_extras)) AS k FROM "
                + stagedRows()
                + " WHERE _extras IS NOT NULL) GROUP BY k ORDER BY count(*) DESC, k")) {
      while (rs.next()) {
        ranked.add(rs.getString(1));
      }
    }
    List<String> dropped =
        List.copyOf(
            ranked.subList(Math.min(InputLimits.MAX_UNKNOWN_FIELDS, ranked.size()), ranked.size()));
    String list = sqlList(dropped);
    fieldRejects = work.resolve("rejects-fields.csv");
    long n =
        s.executeUpdate(
            "COPY (SELECT source_key, 'unknown field ' || list_filter(json_keys(_extras), "
                + "lambda k: list_contains("
                + list
                + ", k))[1] || ' is beyond the "
                + InputLimits.MAX_UNKNOWN_FIELDS
                + " unknown fields a day may add (the most common are kept)' FROM "
                + stagedRows()
                + " WHERE "
                + hasAny(list)
                + ") TO "
                + DuckDb.literal(fieldRejects.toString())
                + " (FORMAT csv, HEADER false)");
    reading.addRejected(n);
    // the columns are those of the rows that stay: a kept field may have come only with dropped
    // ones
    Set<String> remaining = new HashSet<>();
    try (ResultSet rs =
        s.executeQuery(
            "SELECT DISTINCT unnest(json_keys(_extras)) FROM "
                + stagedRows()
                + " WHERE NOT "
                + hasAny(list))) {
      while (rs.next()) {
        remaining.add(rs.getString(1));
      }
    }
    extraTypes.keySet().retainAll(remaining);
    LOG.info(
        "{}: {} unknown fields beyond the limit of {}; {} files with them quarantined",
        day,
        dropped.size(),
        InputLimits.MAX_UNKNOWN_FIELDS,
        n);
    return dropped;
  }

  /**
   * The final rows by the {@link RowRules}: known columns, unknown fields in the columns and types
   * the rules place them in, duplicates across buckets removed, rows with a dropped unknown field
   * left out, the partition columns, in the rules' order. The unknown fields are parsed once per
   * row; a field whose values may not fit its column is read again as text.
   */
  private String selectSql(List<String> dropped, Map<String, RowRules.ExtraPlacement> extras) {
    StringBuilder cols = new StringBuilder();
    for (Column c : ProcessedSchema.COLUMNS) {
      String name = DuckDb.ident(c.name());
      if (c.type() == ColumnType.TIMESTAMP) {
        // staged as whole epoch seconds (RowRules.TIMESTAMP_SOURCES)
        cols.append("make_timestamp(")
            .append(name)
            .append(" * 1000000) AS ")
            .append(name)
            .append(", ");
      } else {
        cols.append(name).append(", ");
      }
    }
    StringBuilder shape = new StringBuilder("{");
    for (Map.Entry<String, RowRules.ExtraPlacement> e : extras.entrySet()) {
      String field = e.getKey();
      RowRules.ExtraPlacement p = e.getValue();
      // names are column names (a-z, 0-9, _), so they need no escaping in the JSON shape
      shape
          .append(shape.length() > 1 ? ", " : "")
          .append('"')
          .append(field)
          .append("\": \"")
          .append(p.type().name())
          .append('"');
      if (p.textColumn().isEmpty()) {
        cols.append("_values.")
            .append(DuckDb.ident(field))
            .append(" AS ")
            .append(DuckDb.ident(p.column()))
            .append(", ");
      } else {
        // only a value whose own type fits the column's goes in it (ExtraValues.inColumn): DuckDB's
        // cast alone would round 1.5 into a BIGINT column and read "yes" as true
        String raw = "json_extract(_extras, " + DuckDb.literal("$." + field) + ")";
        String fits = "json_type(" + raw + ") IN (" + fittingJsonTypes(p.type()) + ")";
        cols.append("CASE WHEN ")
            .append(fits)
            .append(" THEN _values.")
            .append(DuckDb.ident(field))
            .append(" END AS ")
            .append(DuckDb.ident(p.column()))
            .append(", ");
        cols.append("CASE WHEN NOT ")
            .append(fits)
            .append(" THEN CASE WHEN json_type(")
            .append(raw)
            .append(") = 'VARCHAR' THEN json_extract_string(_extras, ")
            .append(DuckDb.literal("$." + field))
            .append(") ELSE CAST(")
            .append(raw)
            .append(" AS VARCHAR) END END AS ")
            .append(DuckDb.ident(p.textColumn().get()))
            .append(", ");
      }
    }
    cols.append(day.getYear())
        .append(" AS year, ")
        .append(day.getMonthValue())
        .append(" AS month, ")
        .append(day.getDayOfMonth())
        .append(" AS day");
    String source = stagedRows();
    if (!extras.isEmpty()) {
      source =
          "(SELECT *, json_transform(_extras, "
              + DuckDb.literal(shape.append('}').toString())
              + ") AS _values FROM "
              + source
              + ")";
    }
    String where = dropped.isEmpty() ? "" : " WHERE NOT " + hasAny(sqlList(dropped));
    String dedup = "";
    if (sourceCount > 1) {
      String partition =
          RowRules.CALL_IDENTITY.stream()
              .map(
                  part ->
                      part.size() == 1 ? part.get(0) : "coalesce(" + String.join(", ", part) + ")")
              .collect(Collectors.joining(", "));
      dedup =
          " QUALIFY row_number() OVER (PARTITION BY "
              + partition
              + " ORDER BY _source, source_key) = 1";
    }
    String order =
        RowRules.SORT_ORDER.stream()
            .map(k -> DuckDb.ident(k.column()) + (k.nullsLast() ? " NULLS LAST" : " NULLS FIRST"))
            .collect(Collectors.joining(", "));
    return "SELECT " + cols + " FROM " + source + where + dedup + " ORDER BY " + order;
  }

  /**
   * DuckDB's JSON types of the staged values whose type fits a column of this type ({@link
   * RowRules#fits}).
   */
  private static String fittingJsonTypes(ColumnType column) {
    switch (column) {
      case BIGINT:
        return "'BIGINT', 'UBIGINT'";
      case DOUBLE:
        return "'BIGINT', 'UBIGINT', 'DOUBLE'";
      case BOOLEAN:
        return "'BOOLEAN'";
      default:
        throw new IllegalStateException("no text column for a column of type " + column);
    }
  }

  /** The staged rows, as DuckDB reads them. */
  private String stagedRows() {
    String files =
        staged.stream()
            .map(f -> DuckDb.literal(f.rowsFile().toString()))
            .collect(Collectors.joining(", "));
    return "read_csv(["
        + files
        + "], columns = "
        + StagingFile.rowColumnsSpec()
        + ", header = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, "
        + "auto_detect = false, strict_mode = true, max_line_size = "
        + StagingFile.MAX_LINE_BYTES
        + ", buffer_size = "
        + 2L * StagingFile.MAX_LINE_BYTES
        + ")";
  }

  private static String sqlList(List<String> values) {
    return "["
        + values.stream().map(DuckDb::literal).collect(Collectors.joining(", "))
        + "]::VARCHAR[]";
  }

  private static String hasAny(String list) {
    return "coalesce(list_has_any(json_keys(_extras), " + list + "), false)";
  }
}
