package io.cdrpipeline.catalog;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** The committed state of one processed day, and the files a query reads for it. */
public record ProcessedDay(
    LocalDate day,
    String runId,
    String fingerprint,
    long sourceObjects,
    long sourceBytes,
    long rowsWritten,
    long rejected,
    Instant processedAt,
    List<ProcessedFile> files) {

  /** One Parquet file of a processed day. */
  public record ProcessedFile(String key, long rows, long bytes) {}
}
