package io.cdrpipeline.alarm;

import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.ProcessedSchema;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The query of each rule over the processed table for a window: plain read-only SQL that the
 * product's query engine runs like any other query, so it reads only the days its filter on {@code
 * year}, {@code month} and {@code day} allows (the window and the baseline before it, a day more on
 * each side as a call may be delivered in the folder of the next day). Each returns one row per
 * finding (none when the alarm does not fire), the worst first, at most {@link #MAX_ROWS}.
 */
public final class RuleQueries {
  /** The most rows of evidence a rule returns. */
  public static final int MAX_ROWS = 50;

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private RuleQueries() {}

  /** The query of an alarm's rule over the window {@code [from, to)}. */
  public static String sql(AlarmDefinition a, Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException(
          "the window must end after it starts: " + from + ", " + to);
    }
    return switch (a.rule()) {
      case FAILURE_RATE -> failureRate(a, from, to);
      case ASR_ACD_DROP -> asrAcdDrop(a, from, to);
      case IRSF -> irsf(a, from, to);
      case WANGIRI -> wangiri(a, from, to);
      case SPEND_SPIKE -> spendSpike(a, from, to);
      case SILENT_CONNECTOR -> silent(a, from, to);
    };
  }

  private static String failureRate(AlarmDefinition a, Instant from, Instant to) {
    Instant base = from.minus(days(a, "baselineDays"));
    String f = ts(from);
    return calls(a, base, to)
        + ",\nw AS (SELECT connector, count(*) AS calls, count(*) FILTER (WHERE status = 'Failed') AS failed"
        + " FROM c WHERE start_time >= "
        + f
        + " GROUP BY connector),\nb AS (SELECT connector, count(*) AS calls,"
        + " count(*) FILTER (WHERE status = 'Failed') AS failed FROM c WHERE start_time < "
        + f
        + " GROUP BY connector)\nSELECT w.connector, w.calls, w.failed,"
        + " round(w.failed::DOUBLE / w.calls, 4) AS failure_rate, coalesce(b.calls, 0) AS baseline_calls,"
        + " round(b.failed::DOUBLE / b.calls, 4) AS baseline_rate\nFROM w LEFT JOIN b USING (connector)\n"
        + "WHERE w.calls >= "
        + num(a, "minCalls")
        + " AND w.failed::DOUBLE / w.calls >= "
        + num(a, "minRate")
        + " AND (w.failed::DOUBLE / w.calls >= "
        + num(a, "rate")
        + " OR (b.calls >= "
        + num(a, "minCalls")
        + " AND w.failed::DOUBLE / w.calls >= "
        + num(a, "baselineFactor")
        + " * b.failed::DOUBLE / b.calls))\nORDER BY failure_rate DESC, w.connector LIMIT "
        + MAX_ROWS;
  }

  private static String asrAcdDrop(AlarmDefinition a, Instant from, Instant to) {
    int weeks = (int) a.threshold("weeks");
    Instant base = from.minus(Duration.ofDays(7L * weeks));
    StringBuilder inBaseline = new StringBuilder();
    for (int k = 1; k <= weeks; k++) {
      inBaseline
          .append(k == 1 ? "" : " OR ")
          .append("(start_time >= ")
          .append(ts(from.minus(Duration.ofDays(7L * k))))
          .append(" AND start_time < ")
          .append(ts(to.minus(Duration.ofDays(7L * k))))
          .append(")");
    }
    return calls(a, base, to)
        + ",\ns AS (SELECT connector, start_time >= "
        + ts(from)
        + " AS in_window, count(*) AS calls, count(*) FILTER (WHERE billable > 0) AS answered,"
        + " avg(billable) FILTER (WHERE billable > 0) AS acd FROM c WHERE status = 'Completed' AND (start_time >= "
        + ts(from)
        + " OR "
        + inBaseline
        + ") GROUP BY ALL),\nw AS (SELECT * FROM s WHERE in_window), b AS (SELECT * FROM s WHERE NOT in_window)\n"
        + "SELECT w.connector, w.calls, round(w.answered::DOUBLE / w.calls, 4) AS asr,"
        + " round(b.answered::DOUBLE / b.calls, 4) AS baseline_asr, round(w.acd, 1) AS acd,"
        + " round(b.acd, 1) AS baseline_acd, b.calls AS baseline_calls\nFROM w JOIN b USING (connector)\n"
        + "WHERE w.calls >= "
        + num(a, "minCalls")
        + " AND b.calls >= "
        + num(a, "minCalls")
        + " AND (w.answered::DOUBLE / w.calls < (1 - "
        + num(a, "asrDrop")
        + ") * b.answered::DOUBLE / b.calls OR coalesce(w.acd, 0) < (1 - "
        + num(a, "acdDrop")
        + ") * b.acd)\nORDER BY w.connector LIMIT "
        + MAX_ROWS;
  }

  private static String irsf(AlarmDefinition a, Instant from, Instant to) {
    Instant base = from.minus(days(a, "days"));
    String f = ts(from);
    String risky =
        a.highRiskPrefixes().isEmpty()
            ? "false"
            : a.highRiskPrefixes().stream()
                .map(p -> "starts_with(number, " + DuckDb.literal(p) + ")")
                .collect(Collectors.joining(" OR ", "(", ")"));
    return calls(a, base, to)
        + ",\nseen AS (SELECT DISTINCT connector, country FROM c WHERE direction = 'Outbound' AND start_time < "
        + f
        + "),\nknown AS (SELECT DISTINCT connector FROM c WHERE start_time < "
        + f
        + "),\nw AS (SELECT c.*, "
        + risky
        + " AS risky, seen.country IS NULL AS new_country FROM c LEFT JOIN seen USING (connector, country)"
        + " WHERE c.direction = 'Outbound' AND c.start_time >= "
        + f
        + ")\nSELECT connector, country, CASE WHEN bool_or(risky) THEN 'high-risk prefix'"
        + " ELSE 'new country' END AS reason, count(*) AS calls, count(DISTINCT number) AS numbers,"
        + " round(sum(billable) / 60.0, 1) AS billable_minutes, min(start_time) AS first_call\n"
        + "FROM w WHERE risky OR (new_country AND connector IN (SELECT connector FROM known))\n"
        + "GROUP BY connector, country ORDER BY billable_minutes DESC, connector, country LIMIT "
        + MAX_ROWS;
  }

  private static String wangiri(AlarmDefinition a, Instant from, Instant to) {
    long minutes = (long) a.threshold("burstMinutes");
    return calls(a, from, to)
        + "\nSELECT connector, time_bucket(INTERVAL "
        + minutes
        + " MINUTE, start_time) AS burst_start, count(*) AS calls, count(DISTINCT number) AS numbers,"
        + " max(duration) AS longest_seconds\nFROM c WHERE direction = 'Outbound' AND duration <= "
        + num(a, "maxSeconds")
        + "\nGROUP BY ALL HAVING count(DISTINCT number) >= "
        + num(a, "minNumbers")
        + "\nORDER BY numbers DESC, connector, burst_start LIMIT "
        + MAX_ROWS;
  }

  private static String spendSpike(AlarmDefinition a, Instant from, Instant to) {
    double baselineDays = a.threshold("baselineDays");
    Instant base = from.minus(days(a, "baselineDays"));
    double windows = baselineDays * 86400.0 / Duration.between(from, to).getSeconds();
    String f = ts(from);
    return calls(a, base, to)
        + ",\nm AS (SELECT country, sum(billable) FILTER (WHERE start_time >= "
        + f
        + ") / 60.0 AS minutes, coalesce(sum(billable) FILTER (WHERE start_time < "
        + f
        + "), 0) / 60.0 / "
        + windows
        + " AS baseline_minutes FROM c WHERE direction = 'Outbound' GROUP BY country)\n"
        + "SELECT country, round(minutes, 1) AS billable_minutes, round(baseline_minutes, 1) AS baseline_minutes,"
        + " round(minutes / baseline_minutes, 1) AS ratio\nFROM m WHERE minutes >= "
        + num(a, "minMinutes")
        + " AND baseline_minutes > 0 AND minutes > "
        + num(a, "factor")
        + " * baseline_minutes\nORDER BY ratio DESC, country LIMIT "
        + MAX_ROWS;
  }

  private static String silent(AlarmDefinition a, Instant from, Instant to) {
    long minutes = (long) a.threshold("minutes");
    long step = minutes * 60;
    // whole periods inside the window, aligned on the day as the baseline's periods
    long first = Math.floorDiv(from.getEpochSecond() + step - 1, step) * step;
    long end = Math.floorDiv(to.getEpochSecond(), step) * step;
    Instant base = from.minus(days(a, "baselineDays"));
    String f = ts(from);
    String slot = "CAST((hour(%1$s) * 60 + minute(%1$s)) // " + minutes + " AS INTEGER)";
    return calls(a, base, to)
        + ",\nslots AS (SELECT range AS period_start FROM range("
        + ts(Instant.ofEpochSecond(first))
        + ", "
        + ts(Instant.ofEpochSecond(Math.max(first, end)))
        + ", INTERVAL "
        + minutes
        + " MINUTE)),\nb AS (SELECT connector, "
        + slot.formatted("start_time")
        + " AS slot, count(*) / "
        + num(a, "baselineDays")
        + " AS usual_calls FROM c WHERE start_time < "
        + f
        + " GROUP BY ALL),\nw AS (SELECT connector, time_bucket(INTERVAL "
        + minutes
        + " MINUTE, start_time) AS period_start, count(*) AS calls FROM c WHERE start_time >= "
        + f
        + " GROUP BY ALL)\nSELECT b.connector, s.period_start, s.period_start + INTERVAL "
        + minutes
        + " MINUTE AS period_end, round(b.usual_calls, 1) AS usual_calls\n"
        + "FROM slots s JOIN b ON b.slot = "
        + slot.formatted("s.period_start")
        + "\nLEFT JOIN w ON w.connector = b.connector AND w.period_start = s.period_start\n"
        + "WHERE b.usual_calls >= "
        + num(a, "minBaselineCalls")
        + " AND w.calls IS NULL\nORDER BY b.connector, s.period_start LIMIT "
        + MAX_ROWS;
  }

  /**
   * {@code WITH c AS (...)}: the calls that started in {@code [from, to)} on the covered
   * connectors, with short column names, from the days that can hold them.
   */
  private static String calls(AlarmDefinition a, Instant from, Instant to) {
    StringBuilder b = new StringBuilder();
    b.append("WITH c AS (SELECT voiceconnectorid AS connector, direction, status,")
        .append(" billabledurationseconds AS billable, duration,")
        .append(" coalesce(destinationcountry, '') AS country,")
        .append(" '+' || ltrim(destinationphonenumber, '+') AS number, start_time\n  FROM ")
        .append(ProcessedSchema.TABLE)
        .append(" WHERE ")
        .append(days(from, to))
        .append("\n  AND start_time >= ")
        .append(ts(from))
        .append(" AND start_time < ")
        .append(ts(to));
    if (!a.connectors().isEmpty()) {
      b.append(" AND voiceconnectorid IN (")
          .append(a.connectors().stream().map(DuckDb::literal).collect(Collectors.joining(", ")))
          .append(")");
    }
    return b.append(")").toString();
  }

  /**
   * {@code year IN (..) AND month IN (..) AND day IN (..)} covering every folder day from the day
   * before {@code from} to the day after {@code to} (a superset when it spans months).
   */
  static String days(Instant from, Instant to) {
    LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC).minusDays(1);
    LocalDate last = LocalDate.ofInstant(to, ZoneOffset.UTC).plusDays(1);
    TreeSet<Integer> years = new TreeSet<>();
    TreeSet<Integer> months = new TreeSet<>();
    TreeSet<Integer> days = new TreeSet<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      years.add(d.getYear());
      months.add(d.getMonthValue());
      days.add(d.getDayOfMonth());
      if (days.size() == 31) {
        break;
      }
    }
    if (days.size() == 31) {
      // a long window: every day of the months it touches
      days.clear();
      for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
        years.add(d.getYear());
        months.add(d.getMonthValue());
      }
    }
    return "year IN ("
        + join(years)
        + ") AND month IN ("
        + join(months)
        + ")"
        + (days.isEmpty() ? "" : " AND day IN (" + join(days) + ")");
  }

  private static String join(TreeSet<Integer> s) {
    return s.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  private static Duration days(AlarmDefinition a, String key) {
    return Duration.ofSeconds(Math.round(a.threshold(key) * 86400));
  }

  private static String num(AlarmDefinition a, String key) {
    double v = a.threshold(key);
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  static String ts(Instant t) {
    return "TIMESTAMP '" + TS.format(t) + "'";
  }
}
