package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.schedule.ScheduleExpression;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schedule as {@code cdr configure} asks it (HH:MM, DAY HH:MM, cron(...), rate(...) or off) and
 * writes it.
 */
public final class ScheduleAnswer {
  private ScheduleAnswer() {}

  private static final Pattern CRON_DAILY =
      Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) \\* \\* \\? \\*\\)");
  private static final Pattern CRON_MONTHLY =
      Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) (\\d{1,2}) \\* \\? \\*\\)");

  /** The short form of a schedule, when it has one: {@code cron(0 9 * * ? *)} is 09:00. */
  static String friendly(String expression, boolean monthly) {
    Matcher m = (monthly ? CRON_MONTHLY : CRON_DAILY).matcher(expression.strip());
    if (!m.matches()) {
      return expression;
    }
    String time =
        String.format("%02d:%02d", Integer.parseInt(m.group(2)), Integer.parseInt(m.group(1)));
    return monthly ? Integer.parseInt(m.group(3)) + " " + time : time;
  }

  /** A schedule answer as the file writes it: an EventBridge expression, or off. */
  public static String schedule(String answer, boolean monthly) {
    String a = answer.strip();
    if (a.equalsIgnoreCase("off") || a.equalsIgnoreCase("false") || a.equalsIgnoreCase("none")) {
      return "off";
    }
    Matcher m =
        Pattern.compile(monthly ? "(\\d{1,2})\\s+(\\d{1,2}):(\\d{2})" : "(\\d{1,2}):(\\d{2})")
            .matcher(a);
    if (m.matches()) {
      int g = monthly ? 1 : 0;
      int hour = Integer.parseInt(m.group(g + 1));
      int minute = Integer.parseInt(m.group(g + 2));
      if (hour > 23 || minute > 59) {
        throw new IllegalArgumentException("'" + a + "' is not a time of day (00:00 to 23:59)");
      }
      if (monthly) {
        int day = Integer.parseInt(m.group(1));
        if (day < 1 || day > 28) {
          throw new IllegalArgumentException(
              "day " + day + ": choose 1 to 28, which every month has (or write a cron())");
        }
        return "cron(" + minute + " " + hour + " " + day + " * ? *)";
      }
      return "cron(" + minute + " " + hour + " * * ? *)";
    }
    if (!a.regionMatches(true, 0, "cron(", 0, 5) && !a.regionMatches(true, 0, "rate(", 0, 5)) {
      throw new IllegalArgumentException(
          "'"
              + a
              + "' is not "
              + (monthly ? "DAY HH:MM" : "HH:MM")
              + ", cron(...), rate(...) or off");
    }
    ScheduleExpression e = ScheduleExpression.parse(a);
    if (e.nextAfter(Instant.now()).equals(Instant.MAX)) {
      throw new IllegalArgumentException("'" + a + "' never fires");
    }
    return a;
  }
}
