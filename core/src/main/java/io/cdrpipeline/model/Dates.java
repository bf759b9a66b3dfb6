package io.cdrpipeline.model;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reader of days ({@code YYYY-MM-DD}) and months ({@code YYYY-MM}) as people type them:
 * command-line options, workflow inputs (from {@code --input}, the API, the console), the API's day
 * ranges and the Spark job's arguments. A year is four digits from {@value #MIN_YEAR} to {@value
 * #MAX_YEAR}: {@code java.time} also reads {@code -2026-11-02}, {@code +12026-11-02} and {@code
 * 0000-01-01}, each of which once became a day of the table. A mistake is an
 * IllegalArgumentException whose message is one line starting with what was read (an option, a
 * key), e.g. {@code --date: 2026-11-31 does not exist: November 2026 has 30 days}.
 */
public final class Dates {
  /** The first year a day or month may have (Voice Connector came long after). */
  public static final int MIN_YEAR = 2000;

  /** The last year a day or month may have. */
  public static final int MAX_YEAR = 2099;

  private static final Pattern DAY = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
  private static final Pattern MONTH = Pattern.compile("(\\d{4})-(\\d{2})");

  private Dates() {}

  /** Reads {@code YYYY-MM-DD}; {@code what} names the value in the message (an option, a key). */
  public static LocalDate day(String what, String value) {
    Matcher m = DAY.matcher(value == null ? "" : value.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          what + ": invalid date '" + shown(value) + "': expected YYYY-MM-DD, e.g. 2026-11-27");
    }
    YearMonth month = month(what, value, m.group(1), m.group(2));
    int day = Integer.parseInt(m.group(3));
    if (day < 1 || day > month.lengthOfMonth()) {
      throw new IllegalArgumentException(
          what
              + ": "
              + value.strip()
              + " does not exist: "
              + month.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
              + " "
              + month.getYear()
              + " has "
              + month.lengthOfMonth()
              + " days");
    }
    return month.atDay(day);
  }

  /** Reads {@code YYYY-MM}; {@code what} names the value in the message. */
  public static YearMonth month(String what, String value) {
    Matcher m = MONTH.matcher(value == null ? "" : value.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          what + ": invalid month '" + shown(value) + "': expected YYYY-MM, e.g. 2026-10");
    }
    return month(what, value, m.group(1), m.group(2));
  }

  /**
   * Reads a day the processed table may already hold: what {@link #day} reads, or, outside its
   * years, any ISO-8601 date ({@code -2026-11-02}, {@code +12026-11-02}, {@code 0000-01-01}), which
   * an older version let workflows commit. Only for naming such a day to remove it.
   */
  public static LocalDate storedDay(String what, String value) {
    String v = value == null ? "" : value.strip();
    Matcher m = DAY.matcher(v);
    if (!m.matches() || !inRange(Integer.parseInt(m.group(1)))) {
      try {
        return LocalDate.parse(v);
      } catch (DateTimeParseException e) {
        // not a date at all: said as for any other day
      }
    }
    return day(what, value);
  }

  private static boolean inRange(int year) {
    return year >= MIN_YEAR && year <= MAX_YEAR;
  }

  private static YearMonth month(String what, String value, String year, String month) {
    int y = Integer.parseInt(year);
    if (!inRange(y)) {
      throw new IllegalArgumentException(
          what
              + ": "
              + value.strip()
              + " is out of range: the year must be from "
              + MIN_YEAR
              + " to "
              + MAX_YEAR);
    }
    int m = Integer.parseInt(month);
    if (m < 1 || m > 12) {
      throw new IllegalArgumentException(
          what
              + ": "
              + value.strip()
              + " does not exist: there is no month "
              + month
              + " (01 to 12)");
    }
    return YearMonth.of(y, m);
  }

  /** The value as typed, on one line and not too long for a message. */
  private static String shown(String value) {
    String t = value == null ? "" : value.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 40 ? t.substring(0, 40) + "..." : t;
  }
}
