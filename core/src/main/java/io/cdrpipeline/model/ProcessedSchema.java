package io.cdrpipeline.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The columns of the {@code processed_cdrs} table in file order: every known CDR field, then the
 * derived columns. Partition columns ({@code year}, {@code month}, {@code day}) live in the folder
 * names, Hive style, not in the files.
 */
public final class ProcessedSchema {
  public static final String TABLE = "processed_cdrs";
  public static final String RAW_TABLE = "amazon_chime_voice_connector_cdrs";
  public static final String QUARANTINE_TABLE = "quarantined_cdrs";

  /** The bucket a catalog partition was crawled from (its {@code source}). */
  public static final String SOURCE_CDR = "cdrBucket";

  public static final String SOURCE_ADDITIONAL = "additionalCdrBucket";
  public static final String SOURCE_PROCESSED = "processedBucket";

  public static final int DURATION = CdrField.values().length;
  public static final int NPANXX = DURATION + 1;
  public static final int HOUR = DURATION + 2;
  public static final int START_TIME = DURATION + 3;
  public static final int END_TIME = DURATION + 4;
  public static final int SOURCE_KEY = DURATION + 5;

  private static final Pattern VALID_COLUMN = Pattern.compile("[a-z_][a-z0-9_]{0,140}");

  /** Every column of a processed file, in order; the index of a known field is its ordinal. */
  public static final List<Column> COLUMNS;

  /**
   * The raw table's own columns, after the records' fields: the voice connector and date of the
   * file's folder, and the file's key.
   */
  public static final List<Column> RAW_COLUMNS =
      List.of(
          new Column("voice_connector", ColumnType.VARCHAR),
          new Column("year", ColumnType.INTEGER),
          new Column("month", ColumnType.INTEGER),
          new Column("day", ColumnType.INTEGER),
          new Column("source_key", ColumnType.VARCHAR));

  /** Partition columns, queried as integers. */
  public static final List<Column> PARTITION_COLUMNS =
      List.of(
          new Column("year", ColumnType.INTEGER),
          new Column("month", ColumnType.INTEGER),
          new Column("day", ColumnType.INTEGER));

  static {
    List<Column> columns = new ArrayList<>();
    for (CdrField f : CdrField.values()) {
      columns.add(new Column(f.column(), f.type()));
    }
    columns.add(new Column("duration", ColumnType.BIGINT));
    columns.add(new Column("npanxx", ColumnType.VARCHAR));
    columns.add(new Column("hour", ColumnType.VARCHAR));
    columns.add(new Column("start_time", ColumnType.TIMESTAMP));
    columns.add(new Column("end_time", ColumnType.TIMESTAMP));
    columns.add(new Column("source_key", ColumnType.VARCHAR));
    COLUMNS = Collections.unmodifiableList(columns);
  }

  /**
   * Names no unknown field may take, in either table: the columns of both tables that do not come
   * from a field, and the names the ETL uses internally.
   */
  public static final Set<String> RESERVED_NAMES =
      Collections.unmodifiableSet(
          new HashSet<>(
              concat(
                  concat(
                      COLUMNS.stream().map(Column::name).collect(Collectors.toList()),
                      RAW_COLUMNS.stream().map(Column::name).collect(Collectors.toList())),
                  List.of("year", "month", "day", "_extras", "_source", "_values"))));

  private ProcessedSchema() {}

  /**
   * The column of a field in both tables: a known field's lower-case name, else {@link
   * #extraColumnName}.
   */
  public static String columnName(String jsonName) {
    CdrField known = CdrField.byName(jsonName);
    return known != null ? known.column() : extraColumnName(jsonName);
  }

  /**
   * The column name for a field the product does not know, the same in both tables: lower case;
   * every character other than a-z, 0-9 and _ becomes _ (what Athena, Hive and Spark accept
   * unquoted); empty becomes {@code field}; a leading digit gets {@code f_}; cut to {@link
   * InputLimits#MAX_COLUMN_NAME_LENGTH} characters; a reserved name gets {@code field_}.
   */
  public static String extraColumnName(String jsonName) {
    StringBuilder b =
        new StringBuilder(Math.min(jsonName.length(), InputLimits.MAX_COLUMN_NAME_LENGTH));
    String lower = jsonName.toLowerCase(Locale.ROOT);
    for (int i = 0; i < lower.length() && b.length() < InputLimits.MAX_COLUMN_NAME_LENGTH; i++) {
      char c = lower.charAt(i);
      b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
    }
    String name = b.length() == 0 ? "field" : b.toString();
    if (Character.isDigit(name.charAt(0))) {
      name = "f_" + name;
    }
    if (RESERVED_NAMES.contains(name)) {
      name = "field_" + name;
    }
    return name;
  }

  /** True for a name {@link #columnName} can give: what a column from a field may be called. */
  public static boolean isFieldColumnName(String name) {
    return VALID_COLUMN.matcher(name).matches() && !RESERVED_NAMES.contains(name)
        || CdrField.byName(name) != null && CdrField.byName(name).column().equals(name);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
