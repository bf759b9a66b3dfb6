package io.cdrpipeline.spark;

import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RowRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * Writes a day of one data file in one task, straight from the read tasks' kept rows: types them
 * ({@link TypeRows}), keeps one copy of a call found in several buckets, sorts them by the {@link
 * RowRules} and writes them ({@link WriteFiles}). The same rows, in the same order, as the day's
 * rows through Spark SQL's window, shuffle and sort, without turning every row into Spark SQL's
 * binary rows and back, and without planning a query: the task holds the day's rows in memory.
 */
final class WriteDay implements FlatMapFunction<Iterator<Row[]>, WriteFiles.Written> {
  private static final long serialVersionUID = 1L;

  private final TypeRows typing;
  private final boolean severalBuckets;
  private final WriteFiles files;

  WriteDay(TypeRows typing, boolean severalBuckets, WriteFiles files) {
    this.typing = Objects.requireNonNull(typing, "typing is null");
    this.severalBuckets = severalBuckets;
    this.files = Objects.requireNonNull(files, "files is null");
  }

  @Override
  public Iterator<WriteFiles.Written> call(Iterator<Row[]> tasks) throws IOException {
    List<Row> read = new ArrayList<>();
    tasks.forEachRemaining(t -> read.addAll(Arrays.asList(t)));
    List<Row> rows = new ArrayList<>();
    typing.call(read.iterator()).forEachRemaining(rows::add);
    read.clear();
    if (severalBuckets) {
      rows = firstCopyOfEachCall(rows);
    }
    rows.sort(ORDER);
    return files.call(0, rows.iterator());
  }

  private static int column(String name) {
    for (int i = 0; i < ProcessedSchema.COLUMNS.size(); i++) {
      if (ProcessedSchema.COLUMNS.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column " + name);
  }

  /** The rules' sort order over typed rows (the known columns come first, in their order). */
  static final Comparator<Row> ORDER = order();

  private static Comparator<Row> order() {
    Comparator<Row> c = null;
    for (RowRules.SortKey k : RowRules.SORT_ORDER) {
      int i = column(k.column());
      Comparator<Object> values =
          k.nullsLast()
              ? Comparator.nullsLast(WriteDay::compareValues)
              : Comparator.nullsFirst(WriteDay::compareValues);
      Comparator<Row> next = (a, b) -> values.compare(a.get(i), b.get(i));
      c = c == null ? next : c.thenComparing(next);
    }
    return c;
  }

  /** Values of one column compared as Spark SQL compares them (text by its UTF-8 bytes). */
  @SuppressWarnings("unchecked")
  static int compareValues(Object a, Object b) {
    if (a instanceof String x && b instanceof String y) {
      return compareText(x, y);
    }
    return ((Comparable<Object>) a).compareTo(b);
  }

  /**
   * Text in the order of its UTF-8 bytes, that is of its code points (Spark SQL's and DuckDB's
   * order), which differs from {@link String#compareTo} when a character beyond the 16-bit range
   * meets one from U+E000 to U+FFFF.
   */
  static int compareText(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return Integer.compare(codeOrder(x), codeOrder(y));
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  /** A UTF-16 unit moved so that surrogates sort after every other unit, as their code points. */
  private static int codeOrder(char c) {
    if (c >= 0xD800 && c <= 0xDFFF) {
      return c + 0x2000;
    }
    return c >= 0xE000 ? c - 0x800 : c;
  }

  private static final int SOURCE_KEY = column("source_key");

  /**
   * One row of each call ({@link RowRules#CALL_IDENTITY}): the first bucket's, then the lowest
   * source key ({@link RowRules#SOURCE_ORDER}).
   */
  static List<Row> firstCopyOfEachCall(List<Row> rows) {
    List<int[]> identity = new ArrayList<>();
    for (List<String> part : RowRules.CALL_IDENTITY) {
      identity.add(part.stream().mapToInt(WriteDay::column).toArray());
    }
    Map<List<Object>, Row> first = new LinkedHashMap<>();
    for (Row r : rows) {
      List<Object> call = new ArrayList<>(identity.size());
      for (int[] part : identity) {
        Object v = null;
        for (int i = 0; i < part.length && v == null; i++) {
          v = r.get(part[i]);
        }
        call.add(v);
      }
      first.merge(call, r, (a, b) -> before(a, b) ? a : b);
    }
    return new ArrayList<>(first.values());
  }

  /** Whether {@code a} is the copy kept over {@code b}: the bucket's index is the last column. */
  private static boolean before(Row a, Row b) {
    int source = Integer.compare(a.getInt(a.length() - 1), b.getInt(b.length() - 1));
    if (source != 0) {
      return source < 0;
    }
    return compareText(a.getString(SOURCE_KEY), b.getString(SOURCE_KEY)) <= 0;
  }
}
