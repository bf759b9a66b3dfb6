package io.cdrpipeline.etl;

import java.time.Duration;
import java.time.LocalDate;

/** The outcome of processing (or skipping) one day. */
public record DaySummary(
    LocalDate day,
    boolean skipped,
    long filesRead,
    long rowsWritten,
    long rejected,
    long bytesRead,
    long bytesWritten,
    Duration elapsed,
    String outputLocation) {

  /** Files read per second. */
  public double filesPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : filesRead / s;
  }
}
