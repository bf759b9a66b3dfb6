package io.cdrpipeline.app;

import io.cdrpipeline.model.DayPartition;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** What every command shares: the context and option parsing helpers. */
final class Commands {
  private Commands() {}

  static AppContext context(CommandLine.Model.CommandSpec spec) {
    return ((CdrCommand) spec.root().userObject()).context();
  }

  /** Parses {@code YYYY-MM-DD}, or fails as a usage error naming the option. */
  static LocalDate date(String option, String value) {
    try {
      return DayPartition.parse(value).date();
    } catch (IllegalArgumentException e) {
      throw new CdrCommand.UserException(option + ": " + e.getMessage());
    }
  }

  /** Parses {@code YYYY-MM}, or fails as a usage error naming the option. */
  static YearMonth month(String option, String value) {
    try {
      return YearMonth.parse(value);
    } catch (DateTimeParseException e) {
      throw new CdrCommand.UserException(option + ": invalid month '" + value + "': expected YYYY-MM, e.g. 2026-10");
    }
  }

  static LocalDate yesterdayUtc() {
    return LocalDate.now(ZoneOffset.UTC).minusDays(1);
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    do {
      v /= 1024;
      u++;
    } while (v >= 1024 && u < units.length - 1);
    return String.format("%.1f %s", v, units[u]);
  }
}
