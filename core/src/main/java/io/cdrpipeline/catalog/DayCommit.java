package io.cdrpipeline.catalog;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.function.BiConsumer;

/**
 * A run's outcome of one day, staged in the catalog before the table's commit and promoted to the
 * day's state once the table holds the run's files.
 */
public record DayCommit(
    LocalDate day,
    String runId,
    String fingerprint,
    long sourceObjects,
    long sourceBytes,
    long rowsWritten,
    long rejected,
    RejectionSource rejections,
    Instant at) {

  /** The day's rejected files, streamed (there may be many): source key and reason of each. */
  @FunctionalInterface
  public interface RejectionSource {
    void forEach(BiConsumer<String, String> sink) throws IOException;
  }
}
