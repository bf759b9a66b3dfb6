package io.cdrpipeline.app.context;

import io.cdrpipeline.model.Dates;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import picocli.CommandLine;

/** What every command shares: the context and option parsing helpers. */
public final class Commands {
  /** Exit code of a user mistake (bad option, bad config). */
  public static final int USAGE = 2;

  /** Exit code of a failure (bad SQL, a failed run). */
  public static final int FAILED = 1;

  /**
   * The class a process of the product runs (a background runner, a benchmark's child, the service
   * unit): named, not referenced, so that no command depends on the entry point.
   */
  public static final String MAIN_CLASS = "io.cdrpipeline.app.Main";

  private Commands() {}

  /** The root command: it holds the context every command of the line runs with. */
  public interface Root {
    /** The context, made on first use. */
    AppContext context();
  }

  public static AppContext context(CommandLine.Model.CommandSpec spec) {
    return ((Root) spec.root().userObject()).context();
  }

  /**
   * Reads {@code YYYY-MM-DD} by the product's one rule ({@link Dates}), or fails as a usage error
   * naming the option.
   */
  public static LocalDate date(String option, String value) {
    try {
      return Dates.day(option, value);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  /**
   * Reads {@code YYYY-MM} by the product's one rule ({@link Dates}), or fails as a usage error
   * naming the option.
   */
  public static YearMonth month(String option, String value) {
    try {
      return Dates.month(option, value);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  public static LocalDate yesterdayUtc() {
    return LocalDate.now(ZoneOffset.UTC).minusDays(1);
  }

  /** {@code 1d}, {@code 36h}, {@code 90m}, {@code 45s}: a duration as a config file writes it. */
  public static String duration(Duration d) {
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

  public static String bytes(long b) {
    return io.cdrpipeline.store.ByteSize.human(b);
  }
}
