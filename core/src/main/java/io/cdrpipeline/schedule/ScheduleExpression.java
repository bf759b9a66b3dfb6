package io.cdrpipeline.schedule;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * A schedule in EventBridge syntax, {@code cron(Minutes Hours Day-of-month Month Day-of-week Year)}
 * or {@code rate(Value Unit)}, translated for Quartz. Times are UTC, as in EventBridge. Beyond
 * EventBridge, {@code rate(N seconds)} is accepted (handy for tests and demos).
 */
public sealed interface ScheduleExpression
    permits ScheduleExpression.Cron, ScheduleExpression.Rate {

  /** The expression as the user wrote it. */
  String text();

  /** The first fire time strictly after {@code after}. */
  Instant nextAfter(Instant after);

  /** Parses an expression; the message of the exception says what is wrong. */
  static ScheduleExpression parse(String text) {
    String t = text == null ? "" : text.trim();
    Matcher cron = Pattern.compile("(?i)cron\\((.*)\\)").matcher(t);
    if (cron.matches()) {
      return Cron.of(t, cron.group(1).trim());
    }
    Matcher rate = Pattern.compile("(?i)rate\\(\\s*(\\d+)\\s+([a-z]+)\\s*\\)").matcher(t);
    if (rate.matches()) {
      String digits = rate.group(1);
      long n =
          Long.parseLong(
              digits.length() > 9 ? "1000000000" : digits); // beyond any bound, without overflow
      String unit = rate.group(2).toLowerCase(Locale.ROOT);
      if (n < 1) {
        throw new IllegalArgumentException("'" + text + "': the rate must be at least 1");
      }
      Duration d;
      switch (unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit) {
        case "second":
          d = Duration.ofSeconds(n);
          break;
        case "minute":
          d = Duration.ofMinutes(n);
          break;
        case "hour":
          d = Duration.ofHours(n);
          break;
        case "day":
          d = Duration.ofDays(n);
          break;
        default:
          throw new IllegalArgumentException(
              "'" + text + "': unknown rate unit '" + unit + "' (minutes, hours or days)");
      }
      if (d.compareTo(Rate.MAX) > 0) {
        throw new IllegalArgumentException(
            "'" + text + "': the rate must be at most " + Rate.MAX.toDays() + " days");
      }
      return new Rate(t, d);
    }
    throw new IllegalArgumentException(
        "'"
            + text
            + "' is not a schedule: use cron(Minutes Hours Day-of-month Month "
            + "Day-of-week Year), e.g. cron(0 9 * * ? *), or rate(Value Unit), e.g. rate(1 hour)");
  }

  /** A cron schedule; {@code quartz} is the Quartz form (with a leading seconds field). */
  record Cron(String text, String quartz) implements ScheduleExpression {
    static Cron of(String text, String body) {
      String[] f = body.split("\\s+");
      if (f.length != 6) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "': a cron expression has 6 fields (Minutes Hours "
                + "Day-of-month Month Day-of-week Year), this one has "
                + f.length);
      }
      if (!f[2].equals("?") && !f[4].equals("?")) {
        throw new IllegalArgumentException(
            "'" + text + "': one of Day-of-month and Day-of-week must be '?'");
      }
      checkRanges(text, f);
      String quartz = "0 " + String.join(" ", f);
      try {
        CronExpression.validateExpression(quartz);
      } catch (ParseException e) {
        throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
      }
      return new Cron(text, quartz);
    }

    private static final String[] FIELDS = {
      "Minutes", "Hours", "Day-of-month", "Month", "Day-of-week", "Year"
    };

    /**
     * EventBridge's bounds of each field (Quartz misses some, e.g. it takes minute 99 as a valid
     * value).
     */
    private static final int[][] RANGES = {
      {0, 59}, {0, 23}, {1, 31}, {1, 12}, {1, 7}, {1970, 2199}
    };

    private static final Pattern NUMBER = Pattern.compile("\\d+");

    /**
     * Checks every number of every field against EventBridge's bounds; Quartz checks the rest of
     * the syntax.
     */
    private static void checkRanges(String text, String[] fields) {
      for (int i = 0; i < fields.length; i++) {
        for (String item : fields[i].split(",", -1)) {
          String base = item;
          int slash = item.indexOf('/');
          if (slash >= 0) {
            base = item.substring(0, slash);
            Matcher step = NUMBER.matcher(item.substring(slash + 1));
            if (step.matches() && value(step.group()) < 1) {
              throw new IllegalArgumentException(
                  "'" + text + "': the increment of " + FIELDS[i] + " must be at least 1");
            }
          }
          int hash = base.indexOf('#');
          if (hash >= 0) {
            Matcher nth = NUMBER.matcher(base.substring(hash + 1));
            if (nth.matches() && (value(nth.group()) < 1 || value(nth.group()) > 5)) {
              throw new IllegalArgumentException(
                  "'"
                      + text
                      + "': the week after '#' in "
                      + FIELDS[i]
                      + " must be 1 to 5, not "
                      + nth.group());
            }
            base = base.substring(0, hash);
          }
          Matcher n = NUMBER.matcher(base);
          while (n.find()) {
            long v = value(n.group());
            if (v < RANGES[i][0] || v > RANGES[i][1]) {
              throw new IllegalArgumentException(
                  "'"
                      + text
                      + "': "
                      + FIELDS[i]
                      + " must be "
                      + RANGES[i][0]
                      + " to "
                      + RANGES[i][1]
                      + ", not "
                      + n.group());
            }
          }
        }
      }
    }

    private static long value(String digits) {
      return digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    /** A Quartz cron expression in UTC. */
    public CronExpression expression() {
      try {
        CronExpression c = new CronExpression(quartz);
        c.setTimeZone(TimeZone.getTimeZone("UTC"));
        return c;
      } catch (ParseException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Instant nextAfter(Instant after) {
      Date next = expression().getNextValidTimeAfter(Date.from(after));
      return next == null ? Instant.MAX : next.toInstant();
    }
  }

  /** A fixed-rate schedule, counted from the epoch so every instance agrees on fire times. */
  record Rate(String text, Duration every) implements ScheduleExpression {
    /**
     * The longest rate: ten years (EventBridge sets no bound; Quartz counts the interval in
     * milliseconds).
     */
    public static final Duration MAX = Duration.ofDays(3650);

    @Override
    public Instant nextAfter(Instant after) {
      long step = every.toMillis();
      long next = (Math.floorDiv(after.toEpochMilli(), step) + 1) * step;
      return Instant.ofEpochMilli(next);
    }
  }
}
