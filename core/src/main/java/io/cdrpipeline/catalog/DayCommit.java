package io.cdrpipeline.catalog;

import io.cdrpipeline.etl.Rejection;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Consumer;

/** Everything that replaces one processed day in a single catalog transaction. */
public record DayCommit(
    LocalDate day,
    String runId,
    String fingerprint,
    long sourceObjects,
    long sourceBytes,
    long rowsWritten,
    List<ProcessedDay.ProcessedFile> files,
    long rejected,
    RejectionSource rejections,
    Instant at) {

  /** The day's rejected files, streamed (there may be many). */
  @FunctionalInterface
  public interface RejectionSource {
    void forEach(Consumer<Rejection> sink) throws IOException;
  }
}
