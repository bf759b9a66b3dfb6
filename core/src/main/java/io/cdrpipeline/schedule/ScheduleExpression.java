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
 * A schedule in EventBridge syntax, {@code cron(Minutes Hours Day-of-month Month Day-of-week
 * Year)} or {@code rate(Value Unit)}, translated for Quartz. Times are UTC, as in EventBridge.
 * Beyond EventBridge, {@code rate(N seconds)} is accepted (handy for tests and demos).
 */
public sealed interface ScheduleExpression permits ScheduleExpression.Cron, ScheduleExpression.Rate {

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
      long n = Long.parseLong(rate.group(1));
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
          throw new IllegalArgumentException("'" + text + "': unknown rate unit '" + unit + "' (minutes, hours or days)");
      }
      return new Rate(t, d);
    }
    throw new IllegalArgumentException("'" + text + "' is not a schedule: use cron(Minutes Hours Day-of-month Month "
        + "Day-of-week Year), e.g. cron(0 9 * * ? *), or rate(Value Unit), e.g. rate(1 hour)");
  }

  /** A cron schedule; {@code quartz} is the Quartz form (with a leading seconds field). */
  record Cron(String text, String quartz) implements ScheduleExpression {
    static Cron of(String text, String body) {
      String[] f = body.split("\\s+");
      if (f.length != 6) {
        throw new IllegalArgumentException("'" + text + "': a cron expression has 6 fields (Minutes Hours "
            + "Day-of-month Month Day-of-week Year), this one has " + f.length);
      }
      if (!f[2].equals("?") && !f[4].equals("?")) {
        throw new IllegalArgumentException("'" + text + "': one of Day-of-month and Day-of-week must be '?'");
      }
      String quartz = "0 " + String.join(" ", f);
      try {
        CronExpression.validateExpression(quartz);
      } catch (ParseException e) {
        throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
      }
      return new Cron(text, quartz);
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
    @Override
    public Instant nextAfter(Instant after) {
      long step = every.toMillis();
      long next = (Math.floorDiv(after.toEpochMilli(), step) + 1) * step;
      return Instant.ofEpochMilli(next);
    }
  }
}
