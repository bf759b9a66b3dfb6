package io.cdrpipeline.report;

import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QuerySink;
import io.cdrpipeline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;

/**
 * The monthly report: calls and total duration per NPANXX (the starter kit's report, with true
 * counts) for one year and month, plus a summary per voice connector, direction and status.
 */
public final class MonthlyReport {
  /** Where every report lives in the reports store; the HTTP server serves only this prefix. */
  public static final String PREFIX = "reports/";

  // Quote only when a value needs it (a comma, quote or line break), so plain values stay plain.
  private static final CsvFactory CSV =
      CsvFactory.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

  private final QueryEngine engine;
  private final ObjectStore reports;

  public MonthlyReport(QueryEngine engine, ObjectStore reports) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.reports = Objects.requireNonNull(reports, "reports");
  }

  /**
   * Writes reports/YYYY-MM/npanxx.csv and reports/YYYY-MM/summary.csv into the reports store (each
   * object replaced whole).
   */
  public ReportResult run(YearMonth month) throws IOException {
    Objects.requireNonNull(month, "month");
    Csv npanxx = query(npanxxSql(month), null);
    Csv summary = query(summarySql(month), "calls");
    // Each CSV is complete in memory before it is stored, so a reader sees the old report or the
    // new one, never half of one; a failed query stores nothing.
    reports.put(npanxxKey(month), npanxx.bytes());
    reports.put(summaryKey(month), summary.bytes());
    return new ReportResult(
        month, npanxxKey(month), summaryKey(month), npanxx.rows(), summary.rows(), summary.total());
  }

  /** {@code reports/2026-10/npanxx.csv}. */
  public static String npanxxKey(YearMonth m) {
    return folder(m) + "npanxx.csv";
  }

  /** {@code reports/2026-10/summary.csv}. */
  public static String summaryKey(YearMonth m) {
    return folder(m) + "summary.csv";
  }

  /** The SQL of the NPANXX report for a month (exposed for tests and docs). */
  public static String npanxxSql(YearMonth m) {
    // The starter kit's columns, with the numbers it meant: its outer COUNT(CallCount) counted
    // the one inner row per npanxx, so it printed 1 everywhere. Here CallCount is the calls of
    // the npanxx. The original also filtered month='5' with no year, mixing years; partitions
    // are integers here, so no padding games.
    return "SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(*) AS CallCount"
        + " FROM processed_cdrs WHERE "
        + filter(m)
        + " GROUP BY npanxx ORDER BY npanxx NULLS LAST";
  }

  /** The SQL of the summary per voice connector, direction and status for a month. */
  public static String summarySql(YearMonth m) {
    // Minutes are summed as decimals: a sum of doubles depends on the order DuckDB's threads add
    // them in, and would print noise such as 12.600000000000001. CDR minutes have one decimal;
    // six keep any plausible value exact.
    return "SELECT voiceconnectorid, direction, status, count(*) AS calls, sum(duration) AS total_duration,"
        + " sum(CAST(billabledurationminutes AS DECIMAL(18, 6))) AS billable_minutes"
        + " FROM processed_cdrs WHERE "
        + filter(m)
        + " GROUP BY voiceconnectorid, direction, status"
        + " ORDER BY voiceconnectorid NULLS LAST, direction NULLS LAST, status NULLS LAST";
  }

  private static String filter(YearMonth m) {
    Objects.requireNonNull(m, "month");
    return "year = " + m.getYear() + " AND month = " + m.getMonthValue();
  }

  private static String folder(YearMonth m) {
    Objects.requireNonNull(m, "month");
    return PREFIX + m + "/";
  }

  /** Runs a query into a CSV, adding up the integer column {@code totalColumn} if not null. */
  private Csv query(String sql, String totalColumn) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
    CsvSink sink = new CsvSink(CSV.createGenerator(buffer), totalColumn);
    engine.stream(sql, sink);
    return new Csv(buffer.toByteArray(), sink.rows, sink.total);
  }

  /** A finished CSV, its row count and the total of one of its columns. */
  private record Csv(byte[] bytes, long rows, long total) {}

  /** Writes rows as CSV cells: NULL as an empty field, decimals without trailing zeros. */
  private static final class CsvSink implements QuerySink {
    private final CsvGenerator g;
    private final String totalColumn;
    private int totalIndex = -1;
    long rows;
    long total;

    CsvSink(CsvGenerator g, String totalColumn) {
      this.g = g;
      this.totalColumn = totalColumn;
    }

    @Override
    public void header(List<String> columns, List<String> types) throws IOException {
      totalIndex = totalColumn == null ? -1 : columns.indexOf(totalColumn);
      g.writeStartArray();
      for (String c : columns) {
        g.writeString(c);
      }
      g.writeEndArray();
    }

    @Override
    public void row(List<Object> values) throws IOException {
      g.writeStartArray();
      for (int i = 0; i < values.size(); i++) {
        Object v = values.get(i);
        g.writeString(text(v));
        if (i == totalIndex && v != null) {
          total += ((Number) v).longValue();
        }
      }
      g.writeEndArray();
      rows++;
    }

    @Override
    public void end() throws IOException {
      g.close();
    }

    private static String text(Object v) {
      if (v == null) {
        return "";
      }
      if (v instanceof BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
      }
      if (v instanceof Double d) {
        return d.isNaN() || d.isInfinite() ? d.toString() : text(BigDecimal.valueOf(d));
      }
      return v.toString();
    }
  }
}
