package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryResult;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The figures of the console's dashboard, from the processed table over the days shown (the newest
 * processed day and the days before it): calls and billable minutes per day and per voice
 * connector, calls per hour of day, the failure rate per day, and the newest month with data
 * against the month before it.
 */
final class Dashboard {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Dashboard() {}

  /**
   * The dashboard over {@code from}..{@code to} (both included); months compares {@code to}'s month
   * with the one before.
   */
  static ObjectNode of(QueryEngine engine, LocalDate from, LocalDate to) {
    ObjectNode out = JSON.objectNode();
    out.put("from", from.toString());
    out.put("to", to.toString());
    String range = rangeWhere(from, to);
    QueryResult perDay =
        engine.query(
            "SELECT make_date(year, month, day) AS d, voiceconnectorid, count(*) AS calls, "
                + "coalesce(sum(billabledurationseconds), 0) / 60.0 AS minutes, count(*) FILTER (WHERE status = 'Failed') AS failed "
                + "FROM processed_cdrs WHERE "
                + range
                + " GROUP BY ALL ORDER BY ALL");
    TreeSet<String> days = new TreeSet<>();
    TreeSet<String> connectors = new TreeSet<>();
    Map<String, long[]> calls = new TreeMap<>(); // day -> calls, failed
    Map<String, Map<String, Object[]>> byConnector =
        new TreeMap<>(); // connector -> day -> calls, minutes
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d.toString());
    }
    Map<String, Double> minutes = new TreeMap<>();
    for (List<Object> r : perDay.rows()) {
      String day = r.get(0).toString();
      String vc = String.valueOf(r.get(1));
      long c = ((Number) r.get(2)).longValue();
      double m = ((Number) r.get(3)).doubleValue();
      long f = ((Number) r.get(4)).longValue();
      connectors.add(vc);
      long[] t = calls.computeIfAbsent(day, k -> new long[2]);
      t[0] += c;
      t[1] += f;
      minutes.merge(day, m, Double::sum);
      byConnector.computeIfAbsent(vc, k -> new TreeMap<>()).put(day, new Object[] {c, m});
    }
    ArrayNode dayList = out.putArray("days");
    ArrayNode callsPerDay = out.putArray("callsPerDay");
    ArrayNode minutesPerDay = out.putArray("minutesPerDay");
    ArrayNode failureRate = out.putArray("failureRatePerDay");
    for (String d : days) {
      dayList.add(d);
      long[] t = calls.getOrDefault(d, new long[2]);
      callsPerDay.add(t[0]);
      minutesPerDay.add(round(minutes.getOrDefault(d, 0.0)));
      if (t[0] == 0) {
        failureRate.addNull();
      } else {
        failureRate.add(round(100.0 * t[1] / t[0]));
      }
    }
    ArrayNode vcs = out.putArray("connectors");
    for (String vc : connectors) {
      ObjectNode o = vcs.addObject();
      o.put("voiceConnectorId", vc);
      ArrayNode c = o.putArray("calls");
      ArrayNode m = o.putArray("minutes");
      for (String d : days) {
        Object[] v = byConnector.get(vc).get(d);
        c.add(v == null ? 0 : (Long) v[0]);
        m.add(v == null ? 0 : round((Double) v[1]));
      }
    }
    QueryResult hours =
        engine.query(
            "SELECT hour, count(*) AS calls FROM processed_cdrs WHERE "
                + range
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
    YearMonth thisMonth = YearMonth.from(to);
    ArrayNode months = out.putArray("months");
    for (YearMonth m : List.of(thisMonth.minusMonths(1), thisMonth)) {
      QueryResult r =
          engine.query(
              "SELECT count(*) AS calls, coalesce(sum(billabledurationseconds), 0) / 60.0 AS minutes, "
                  + "count(*) FILTER (WHERE status = 'Failed') AS failed FROM processed_cdrs WHERE year = "
                  + m.getYear()
                  + " AND month = "
                  + m.getMonthValue());
      List<Object> row = r.rows().get(0);
      ObjectNode o = months.addObject();
      o.put("month", m.toString());
      o.put("calls", ((Number) row.get(0)).longValue());
      o.put("minutes", round(((Number) row.get(1)).doubleValue()));
      o.put("failed", ((Number) row.get(2)).longValue());
    }
    return out;
  }

  /**
   * The day range on the partition columns, in the simple forms that let the engine read only those
   * days.
   */
  private static String rangeWhere(LocalDate from, LocalDate to) {
    StringBuilder b = new StringBuilder("year BETWEEN " + from.getYear() + " AND " + to.getYear());
    if (from.getYear() == to.getYear()) {
      b.append(" AND month BETWEEN ")
          .append(from.getMonthValue())
          .append(" AND ")
          .append(to.getMonthValue());
    }
    return b + " AND make_date(year, month, day) BETWEEN DATE '" + from + "' AND DATE '" + to + "'";
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
