package io.cdrpipeline.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The columns of the {@code processed_cdrs} table in file order: every known CDR field, then the
 * derived columns. Partition columns ({@code year}, {@code month}, {@code day}) live in the
 * folder names, Hive style, not in the files.
 */
public final class ProcessedSchema {
  public static final String TABLE = "processed_cdrs";
  public static final String RAW_TABLE = "amazon_chime_voice_connector_cdrs";
  public static final String QUARANTINE_TABLE = "quarantined_cdrs";

  public static final int DURATION = CdrField.values().length;
  public static final int NPANXX = DURATION + 1;
  public static final int HOUR = DURATION + 2;
  public static final int START_TIME = DURATION + 3;
  public static final int END_TIME = DURATION + 4;
  public static final int SOURCE_KEY = DURATION + 5;

  /** Every column of a processed file, in order; the index of a known field is its ordinal. */
  public static final List<Column> COLUMNS;

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

  /** Names no extra (unknown) field may take, because a known or derived column has them. */
  public static final Set<String> RESERVED_NAMES =
      Collections.unmodifiableSet(
          new java.util.HashSet<>(
              concat(
                  COLUMNS.stream().map(Column::name).collect(Collectors.toList()),
                  List.of("year", "month", "day", "_extras"))));

  private ProcessedSchema() {}

  /**
   * The column name for a field the product does not know: lower case, letters, digits and
   * underscores only (what Athena, Hive and Spark accept unquoted), never a reserved name.
   */
  public static String extraColumnName(String jsonName) {
    StringBuilder b = new StringBuilder(jsonName.length());
    for (char c : jsonName.toLowerCase(Locale.ROOT).toCharArray()) {
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

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
