package io.cdrpipeline.etl;

import io.cdrpipeline.catalog.DayCommit;
import io.cdrpipeline.table.IcebergTable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * One engine's output for one day: data files in place, not yet committed, with the day's counts,
 * the fingerprint of the raw objects read and the rejected files. Closing it removes the engine's
 * staging (where the rejections are read from), so it is closed after the commit.
 */
public final class DayResult implements AutoCloseable {
  private final LocalDate day;
  private final String runId;
  private final List<IcebergTable.NewFile> files;
  private final long filesRead;
  private final long rows;
  private final long rejected;
  private final long bytesRead;
  private final long bytesWritten;
  private final SourceFingerprint fingerprint;
  private final DayCommit.RejectionSource rejections;
  private final Runnable cleanup;

  public DayResult(
      LocalDate day,
      String runId,
      List<IcebergTable.NewFile> files,
      long filesRead,
      long rows,
      long rejected,
      long bytesRead,
      long bytesWritten,
      SourceFingerprint fingerprint,
      DayCommit.RejectionSource rejections,
      Runnable cleanup) {
    this.day = Objects.requireNonNull(day, "day is null");
    this.runId = Objects.requireNonNull(runId, "runId is null");
    this.files = List.copyOf(files);
    this.filesRead = filesRead;
    this.rows = rows;
    this.rejected = rejected;
    this.bytesRead = bytesRead;
    this.bytesWritten = bytesWritten;
    this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint is null");
    this.rejections = Objects.requireNonNull(rejections, "rejections is null");
    this.cleanup = Objects.requireNonNull(cleanup, "cleanup is null");
  }

  public List<IcebergTable.NewFile> files() {
    return files;
  }

  public long filesRead() {
    return filesRead;
  }

  public long rows() {
    return rows;
  }

  public long rejected() {
    return rejected;
  }

  public long bytesRead() {
    return bytesRead;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  /** The day's bookkeeping as the catalog stages it. */
  public DayCommit bookkeeping(Instant at) {
    return new DayCommit(
        day,
        runId,
        fingerprint.value(),
        fingerprint.count(),
        fingerprint.bytes(),
        rows,
        rejected,
        rejections,
        at);
  }

  @Override
  public void close() {
    cleanup.run();
  }
}
