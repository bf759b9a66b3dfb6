package io.cdrpipeline.etl;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The outcome of processing (or skipping) one day. {@code refusal} is set, and {@code skipped}
 * true, when the day was not replaced by the rule of {@link io.cdrpipeline.table.DayRefusal} (no
 * raw file found, or a shrink beyond {@code etl.maxShrink}): one line saying why and what it keeps.
 */
public record DaySummary(
    LocalDate day,
    boolean skipped,
    long filesRead,
    long rowsWritten,
    long rejected,
    long bytesRead,
    long bytesWritten,
    Duration elapsed,
    String outputLocation,
    String refusal) {

  /** A day processed, or skipped as unchanged. */
  public DaySummary(
      LocalDate day,
      boolean skipped,
      long filesRead,
      long rowsWritten,
      long rejected,
      long bytesRead,
      long bytesWritten,
      Duration elapsed,
      String outputLocation) {
    this(
        day,
        skipped,
        filesRead,
        rowsWritten,
        rejected,
        bytesRead,
        bytesWritten,
        elapsed,
        outputLocation,
        null);
  }

  /** A day the rule kept as it was: nothing read, nothing written. */
  static DaySummary refused(LocalDate day, String why) {
    return new DaySummary(
        day, true, 0, 0, 0, 0, 0, Duration.ZERO, null, Objects.requireNonNull(why, "why is null"));
  }

  /**
   * True when the day was kept as it was by the rule (not replaced), rather than processed or
   * unchanged.
   */
  public boolean refused() {
    return refusal != null;
  }

  /** Files read per second. */
  public double filesPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : filesRead / s;
  }
}
