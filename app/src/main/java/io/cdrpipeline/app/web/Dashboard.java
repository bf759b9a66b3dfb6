package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryResult;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The figures of the console's dashboard, from the processed table, for the calls that started in a
 * time range (optionally of one voice connector): calls, billable minutes and failed calls per day
 * (or per hour, for a range of two days or less) and per voice connector, calls per hour of day,
 * the key figures of the range (calls, minutes, ASR, ACD, failure rate), and the days 1..N of the
 * range's last month against the same days of the month before.
 */
final class Dashboard {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The longest range a request may ask for. */
  static final Duration LONGEST = Duration.ofDays(366);

  /** Up to this span the series have one point per hour, else one per day. */
  static final Duration HOURLY_UP_TO = Duration.ofHours(48);

  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:00");
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /**
   * The calls that started in {@code from} (included) .. {@code to} (excluded), UTC, of {@code
   * connector} if given.
   */
  record Range(Instant from, Instant to, Optional<String> connector) {
    Range {
      Objects.requireNonNull(from, "from is null");
      Objects.requireNonNull(to, "to is null");
      Objects.requireNonNull(connector, "connector is null");
      if (!to.isAfter(from)) {
        throw new IllegalArgumentException("the range ends before it starts");
      }
    }

    boolean hourly() {
      return Duration.between(from, to).compareTo(HOURLY_UP_TO) <= 0;
    }

    /** The day of the range's last second. */
    LocalDate lastDay() {
      return LocalDate.ofInstant(to.minusSeconds(1), ZoneOffset.UTC);
    }

    LocalDate firstDay() {
      return LocalDate.ofInstant(from, ZoneOffset.UTC);
    }
  }

  private Dashboard() {}

  static ObjectNode of(QueryEngine engine, Range range) {
    ObjectNode out = JSON.objectNode();
    out.put("from", range.from().toString());
    out.put("to", range.to().toString());
    out.put("connector", range.connector().orElse(null));
    boolean hourly = range.hourly();
    out.put("bucket", hourly ? "hour" : "day");
    List<String> labels = labels(range);
    String where = startedIn(range.from(), range.to());
    String connector =
        range.connector().map(c -> " AND voiceconnectorid = " + DuckDb.literal(c)).orElse("");
    // one query for the series and the key figures: per bucket and connector, all connectors (the
    // filter's choices), the filter applied below
    QueryResult perBucket =
        engine.query(
            "SELECT strftime(start_time, '"
                + (hourly ? "%Y-%m-%d %H:00" : "%Y-%m-%d")
                + "') AS b, voiceconnectorid, count(*) AS calls, "
                + "coalesce(sum(billabledurationseconds), 0) AS seconds, "
                + "count(*) FILTER (WHERE status = 'Failed') AS failed, "
                + "count(*) FILTER (WHERE "
                + ANSWERED
                + ") AS answered, "
                + "coalesce(sum(billabledurationseconds) FILTER (WHERE "
                + ANSWERED
                + "), 0) AS answered_seconds "
                + "FROM processed_cdrs WHERE "
                + where
                + " GROUP BY ALL ORDER BY ALL");
    TreeSet<String> all = new TreeSet<>();
    Map<String, Map<String, long[]>> byConnector = new TreeMap<>(); // connector -> bucket -> sums
    long[] total = new long[5]; // calls, seconds, failed, answered, answered seconds
    for (List<Object> r : perBucket.rows()) {
      String vc = String.valueOf(r.get(1));
      all.add(vc);
      if (range.connector().isPresent() && !range.connector().get().equals(vc)) {
        continue;
      }
      long[] v = new long[5];
      for (int i = 0; i < 5; i++) {
        v[i] = ((Number) r.get(i + 2)).longValue();
        total[i] += v[i];
      }
      byConnector.computeIfAbsent(vc, k -> new TreeMap<>()).put(String.valueOf(r.get(0)), v);
    }
    ArrayNode connectors = out.putArray("allConnectors");
    all.forEach(connectors::add);
    ArrayNode labelList = out.putArray("labels");
    labels.forEach(labelList::add);
    ArrayNode calls = out.putArray("calls");
    ArrayNode minutes = out.putArray("minutes");
    ArrayNode failed = out.putArray("failed");
    ArrayNode failureRate = out.putArray("failureRate");
    for (String b : labels) {
      long c = 0;
      long s = 0;
      long f = 0;
      for (Map<String, long[]> m : byConnector.values()) {
        long[] v = m.get(b);
        if (v != null) {
          c += v[0];
          s += v[1];
          f += v[2];
        }
      }
      calls.add(c);
      minutes.add(round(s / 60.0));
      failed.add(f);
      if (c == 0) {
        failureRate.addNull();
      } else {
        failureRate.add(round(100.0 * f / c));
      }
    }
    ArrayNode vcs = out.putArray("connectors");
    for (Map.Entry<String, Map<String, long[]>> e : byConnector.entrySet()) {
      ObjectNode o = vcs.addObject();
      o.put("voiceConnectorId", e.getKey());
      ArrayNode c = o.putArray("calls");
      ArrayNode m = o.putArray("minutes");
      for (String b : labels) {
        long[] v = e.getValue().get(b);
        c.add(v == null ? 0 : v[0]);
        m.add(v == null ? 0 : round(v[1] / 60.0));
      }
    }
    ObjectNode kpis = out.putObject("kpis");
    kpis.put("calls", total[0]);
    kpis.put("minutes", round(total[1] / 60.0));
    kpis.put("failed", total[2]);
    kpis.put("answered", total[3]);
    putRatio(kpis, "asr", 100.0 * total[3], total[0]);
    putRatio(kpis, "acd", total[4] / 60.0, total[3]);
    putRatio(kpis, "failureRate", 100.0 * total[2], total[0]);

    QueryResult hours =
        engine.query(
            "SELECT hour, count(*) AS calls FROM processed_cdrs WHERE "
                + where
                + connector
                + " GROUP BY hour ORDER BY hour");
    long[] perHour = new long[24];
    for (List<Object> r : hours.rows()) {
      if (r.get(0) != null) {
        perHour[Integer.parseInt(r.get(0).toString())] = ((Number) r.get(1)).longValue();
      }
    }
    ArrayNode h = out.putArray("callsPerHour");
    for (long n : perHour) {
      h.add(n);
    }
    out.set("months", months(engine, range.lastDay(), connector));
    return out;
  }

  /**
   * Days 1..N of {@code last}'s month (N its day of month) against days 1..N of the month before,
   * day by day: equal periods, not the totals of a whole month and of a month begun.
   */
  private static ObjectNode months(QueryEngine engine, LocalDate last, String connector) {
    YearMonth thisMonth = YearMonth.from(last);
    YearMonth lastMonth = thisMonth.minusMonths(1);
    int n = last.getDayOfMonth();
    Instant from = lastMonth.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant to = last.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    QueryResult r =
        engine.query(
            "SELECT strftime(start_time, '%Y-%m') AS m, day(start_time) AS d, count(*) AS calls, "
                + "coalesce(sum(billabledurationseconds), 0) AS seconds, "
                + "count(*) FILTER (WHERE status = 'Failed') AS failed FROM processed_cdrs WHERE "
                + startedIn(from, to)
                + connector
                + " AND day(start_time) <= "
                + n
                + " GROUP BY ALL ORDER BY ALL");
    Map<String, long[][]> per = new LinkedHashMap<>();
    for (YearMonth m : List.of(lastMonth, thisMonth)) {
      per.put(m.toString(), new long[n][3]);
    }
    for (List<Object> row : r.rows()) {
      long[][] days = per.get(String.valueOf(row.get(0)));
      int d = ((Number) row.get(1)).intValue();
      if (days != null && d >= 1 && d <= n) {
        for (int i = 0; i < 3; i++) {
          days[d - 1][i] = ((Number) row.get(i + 2)).longValue();
        }
      }
    }
    ObjectNode out = JSON.objectNode();
    out.put("days", n);
    ArrayNode list = out.putArray("months");
    for (YearMonth m : List.of(lastMonth, thisMonth)) {
      long[][] days = per.get(m.toString());
      ObjectNode o = list.addObject();
      o.put("month", m.toString());
      o.put("lastDay", Math.min(n, m.lengthOfMonth()));
      ArrayNode c = o.putArray("calls");
      ArrayNode mi = o.putArray("minutes");
      ArrayNode f = o.putArray("failed");
      long tc = 0;
      long ts = 0;
      long tf = 0;
      for (int d = 1; d <= n; d++) {
        if (d > m.lengthOfMonth()) { // the 31st of a month of 30 days: no such day
          c.addNull();
          mi.addNull();
          f.addNull();
          continue;
        }
        long[] v = days[d - 1];
        c.add(v[0]);
        mi.add(round(v[1] / 60.0));
        f.add(v[2]);
        tc += v[0];
        ts += v[1];
        tf += v[2];
      }
      o.put("totalCalls", tc);
      o.put("totalMinutes", round(ts / 60.0));
      o.put("totalFailed", tf);
    }
    return out;
  }

  /** An answered call: completed, with billable time. */
  static final String ANSWERED = "status = 'Completed' AND billabledurationseconds > 0";

  /**
   * The calls that started in {@code from}..{@code to} (excluded): on start_time, and on the
   * partition days that can hold them (a call is delivered into the folder of the day it ends, so
   * the day after the last is read too), in the simple forms that let the engine read only those
   * days.
   */
  static String startedIn(Instant from, Instant to) {
    LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
    LocalDate last = LocalDate.ofInstant(to.minusSeconds(1), ZoneOffset.UTC).plusDays(1);
    StringBuilder b =
        new StringBuilder("year BETWEEN " + first.getYear() + " AND " + last.getYear());
    if (first.getYear() == last.getYear()) {
      b.append(" AND month BETWEEN ")
          .append(first.getMonthValue())
          .append(" AND ")
          .append(last.getMonthValue());
    }
    return b
        + " AND make_date(year, month, day) BETWEEN DATE '"
        + first
        + "' AND DATE '"
        + last
        + "' AND start_time >= TIMESTAMP '"
        + TIMESTAMP.format(LocalDateTime.ofInstant(from, ZoneOffset.UTC))
        + "' AND start_time < TIMESTAMP '"
        + TIMESTAMP.format(LocalDateTime.ofInstant(to, ZoneOffset.UTC))
        + "'";
  }

  /** Every day, or every hour, of the range: the x axis, with the buckets without calls. */
  static List<String> labels(Range range) {
    List<String> out = new ArrayList<>();
    if (range.hourly()) {
      for (Instant t = range.from().truncatedTo(ChronoUnit.HOURS);
          t.isBefore(range.to());
          t = t.plus(1, ChronoUnit.HOURS)) {
        out.add(HOUR.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC)));
      }
    } else {
      for (LocalDate d = range.firstDay(); !d.isAfter(range.lastDay()); d = d.plusDays(1)) {
        out.add(d.toString());
      }
    }
    return out;
  }

  private static void putRatio(ObjectNode o, String name, double numerator, long denominator) {
    if (denominator == 0) {
      o.putNull(name);
    } else {
      o.put(name, round(numerator / denominator));
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
