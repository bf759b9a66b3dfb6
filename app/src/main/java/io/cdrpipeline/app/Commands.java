package io.cdrpipeline.app;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** What every command shares: the context and option parsing helpers. */
final class Commands {
  private Commands() {}

  static AppContext context(CommandLine.Model.CommandSpec spec) {
    return ((CdrCommand) spec.root().userObject()).context();
  }

  private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
  private static final Pattern MONTH = Pattern.compile("(\\d{4})-(\\d{2})");

  /** Parses {@code YYYY-MM-DD}, or fails as a usage error naming the option and what is wrong. */
  static LocalDate date(String option, String value) {
    Matcher m = DATE.matcher(value == null ? "" : value.strip());
    if (!m.matches()) {
      throw new CdrCommand.UserException(option + ": invalid date '" + value + "': expected YYYY-MM-DD, e.g. 2026-11-27");
    }
    YearMonth month = yearMonth(option, value, m.group(1), m.group(2));
    int day = Integer.parseInt(m.group(3));
    if (day < 1 || day > month.lengthOfMonth()) {
      throw new CdrCommand.UserException(option + ": " + value + " does not exist: "
          + month.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + month.getYear() + " has "
          + month.lengthOfMonth() + " days");
    }
    return month.atDay(day);
  }

  /** Parses {@code YYYY-MM}, or fails as a usage error naming the option. */
  static YearMonth month(String option, String value) {
    Matcher m = MONTH.matcher(value == null ? "" : value.strip());
    if (!m.matches()) {
      throw new CdrCommand.UserException(option + ": invalid month '" + value + "': expected YYYY-MM, e.g. 2026-10");
    }
    return yearMonth(option, value, m.group(1), m.group(2));
  }

  private static YearMonth yearMonth(String option, String value, String year, String month) {
    int m = Integer.parseInt(month);
    if (m < 1 || m > 12) {
      throw new CdrCommand.UserException(option + ": " + value + " does not exist: there is no month " + month
          + " (01 to 12)");
    }
    return YearMonth.of(Integer.parseInt(year), m);
  }

  static LocalDate yesterdayUtc() {
    return LocalDate.now(ZoneOffset.UTC).minusDays(1);
  }

  /** {@code 1d}, {@code 36h}, {@code 90m}, {@code 45s}: a duration as a config file writes it. */
  static String duration(java.time.Duration d) {
    long s = d.toSeconds();
    if (s > 0 && s % 86400 == 0) {
      return s / 86400 + "d";
    }
    if (s > 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s > 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  static String bytes(long b) {
    return io.cdrpipeline.store.ByteSize.human(b);
  }

}
