package io.cdrpipeline.etl;

import java.time.Duration;
import java.util.List;

/** The outcome of one ETL run over one or more days. */
public record EtlSummary(String runId, List<DaySummary> days, Duration elapsed) {

  public long filesRead() {
    return days.stream().mapToLong(DaySummary::filesRead).sum();
  }

  public long rowsWritten() {
    return days.stream().mapToLong(DaySummary::rowsWritten).sum();
  }

  public long rejected() {
    return days.stream().mapToLong(DaySummary::rejected).sum();
  }

  public long bytesRead() {
    return days.stream().mapToLong(DaySummary::bytesRead).sum();
  }

  public long daysProcessed() {
    return days.stream().filter(d -> !d.skipped()).count();
  }

  public long daysSkipped() {
    return days.stream().filter(DaySummary::skipped).count();
  }

  public double filesPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : filesRead() / s;
  }
}
