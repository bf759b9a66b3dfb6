package io.cdrpipeline.model;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The folder layout of the processed table: {@code
 * processed_cdrs/year=YYYY/month=MM/day=DD/part-<run>.parquet}, Hive style, readable by Athena,
 * Trino, Spark and DuckDB. Names starting with '_' or '.' are not data.
 */
public final class ProcessedLayout {
  /** The table's folder in the processed bucket. */
  public static final String ROOT = ProcessedSchema.TABLE + "/";

  private static final Pattern PART = Pattern.compile("(year|month|day)=(\\d{1,4})");

  private ProcessedLayout() {}

  /** The folder of one day. */
  public static String dayPrefix(LocalDate day) {
    return ROOT + new DayPartition(day).hivePath() + "/";
  }

  /** The key of a new data file of a day, unique per run. */
  public static String fileKey(LocalDate day, String runId, int index) {
    return dayPrefix(day) + String.format("part-%05d-%s.parquet", index, runId);
  }

  /** True for a data file name (not hidden, not a marker, ends in .parquet). */
  public static boolean isDataFile(String name) {
    return name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".");
  }

  /** The value of a {@code key=value} folder name for the given key, if it is one. */
  public static Optional<Integer> partValue(String folder, String key) {
    Matcher m = PART.matcher(folder);
    if (!m.matches() || !m.group(1).equals(key)) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(m.group(2)));
  }

  /** The date of {@code year=}, {@code month=}, {@code day=} folder names, if real. */
  public static Optional<LocalDate> date(String year, String month, String day) {
    Optional<Integer> y = partValue(year, "year");
    Optional<Integer> m = partValue(month, "month");
    Optional<Integer> d = partValue(day, "day");
    if (y.isEmpty() || m.isEmpty() || d.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.of(y.get(), m.get(), d.get()));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }
}
