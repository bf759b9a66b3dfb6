package io.cdrpipeline.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The rules that turn a day's normalized records into the rows of {@code processed_cdrs}, declared
 * once as data so that every ETL engine (the embedded one, Spark on a cluster) applies the same
 * ones. {@code Normalizer} makes each record; these decide which records of a day become rows, in
 * what order, and which column and type an unknown field's value lands in.
 */
public final class RowRules {
  private RowRules() {}

  /** One column of the sort order. */
  public record SortKey(String column, boolean nullsLast) {
    public SortKey {
      Objects.requireNonNull(column, "column is null");
    }
  }

  /**
   * The order of a day's rows in its data file: by voice connector, start time, then source key
   * (unique), so a re-run writes the same file and readers prune by connector and time.
   */
  public static final List<SortKey> SORT_ORDER =
      List.of(
          new SortKey("voiceconnectorid", true),
          new SortKey("starttimeepochseconds", true),
          new SortKey("source_key", true));

  /**
   * What identifies one call across buckets: each part is the first non-NULL of its columns. A call
   * found in the CDR bucket and in the additional bucket (the same transaction and call ids) is
   * written once.
   */
  public static final List<List<String>> CALL_IDENTITY =
      List.of(List.of("transactionid", "source_key"), List.of("callid"));

  /**
   * Which copy of a call read from several buckets is kept: the one of the first bucket in the
   * configuration (the CDR bucket before the additional one), then the lowest source key.
   */
  public static final String SOURCE_ORDER = "bucket order, then source_key";

  /**
   * Columns of type TIMESTAMP are the UTC instant of whole epoch seconds: {@code start_time} from
   * {@code starttimeepochseconds}, {@code end_time} from {@code endtimeepochseconds}.
   */
  public static final Map<String, String> TIMESTAMP_SOURCES =
      Map.of("start_time", "starttimeepochseconds", "end_time", "endtimeepochseconds");

  /**
   * The suffix of the column that keeps the values of an unknown field that do not fit its type.
   */
  public static final String TEXT_SUFFIX = "_text";

  /**
   * True when every value of {@code valueType} is stored in a column of {@code columnType} without
   * loss: the same type, an integer in a BIGINT or DOUBLE column, anything as text.
   */
  public static boolean fits(ColumnType valueType, ColumnType columnType) {
    if (valueType == columnType || columnType == ColumnType.VARCHAR) {
      return true;
    }
    if (valueType == ColumnType.INTEGER) {
      return columnType == ColumnType.BIGINT || columnType == ColumnType.DOUBLE;
    }
    return valueType == ColumnType.BIGINT && columnType == ColumnType.DOUBLE;
  }

  /**
   * Where an unknown field's values go, given the type its values have on this day and the type of
   * its column if the table has one already. A column's type never changes (Iceberg only widens int
   * to long and float to double): a new field takes the day's type; values that do not fit an
   * existing column's type are kept as their JSON text in {@code <column>_text}.
   */
  public static ExtraPlacement placeExtra(
      String column, ColumnType dayType, Optional<ColumnType> tableType) {
    Objects.requireNonNull(column, "column is null");
    Objects.requireNonNull(dayType, "dayType is null");
    if (tableType.isEmpty()) {
      return new ExtraPlacement(column, dayType, Optional.empty());
    }
    ColumnType t = tableType.get();
    return new ExtraPlacement(
        column, t, fits(dayType, t) ? Optional.empty() : Optional.of(column + TEXT_SUFFIX));
  }

  /**
   * An unknown field's column and type, and the text column for its values that do not convert to
   * that type without loss (empty when all of them do).
   */
  public record ExtraPlacement(String column, ColumnType type, Optional<String> textColumn) {
    public ExtraPlacement {
      Objects.requireNonNull(column, "column is null");
      Objects.requireNonNull(type, "type is null");
      Objects.requireNonNull(textColumn, "textColumn is null");
    }
  }
}
