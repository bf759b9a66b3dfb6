package io.cdrpipeline.app;

import io.cdrpipeline.model.Dates;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import picocli.CommandLine;

/** What every command shares: the context and option parsing helpers. */
final class Commands {
  private Commands() {}

  static AppContext context(CommandLine.Model.CommandSpec spec) {
    return ((CdrCommand) spec.root().userObject()).context();
  }

  /** Reads {@code YYYY-MM-DD} by the product's one rule ({@link Dates}), or fails as a usage error naming the option. */
  static LocalDate date(String option, String value) {
    try {
      return Dates.day(option, value);
    } catch (IllegalArgumentException e) {
      throw new CdrCommand.UserException(e.getMessage());
    }
  }

  /** Reads {@code YYYY-MM} by the product's one rule ({@link Dates}), or fails as a usage error naming the option. */
  static YearMonth month(String option, String value) {
    try {
      return Dates.month(option, value);
    } catch (IllegalArgumentException e) {
      throw new CdrCommand.UserException(e.getMessage());
    }
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
