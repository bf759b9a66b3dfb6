package io.cdrpipeline.watch;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * What one poll of the watch did: the batch it committed (empty id when it found nothing new), its
 * objects, rows and quarantined files, and what it cost in listings.
 *
 * @param batchId the batch's id, as the snapshot summary's {@code cdr.watch-batch} names it; empty
 *     when nothing was committed
 * @param snapshotId the Iceberg snapshot of the batch
 * @param days the days appended to
 * @param objects raw objects taken (read into rows or quarantined)
 * @param rows rows appended
 * @param rejected files quarantined
 * @param listed raw objects the listing found in the watched days
 * @param skippedDays days not watched at this poll, each with why
 * @param committedAt when the batch committed (the rows became queryable)
 */
public record WatchBatch(
    Optional<String> batchId,
    Optional<Long> snapshotId,
    List<LocalDate> days,
    long objects,
    long rows,
    long rejected,
    long listed,
    List<String> skippedDays,
    Optional<Instant> committedAt) {
  public WatchBatch {
    days = List.copyOf(days);
    skippedDays = List.copyOf(skippedDays);
  }

  /** True when the poll committed a batch. */
  public boolean committed() {
    return batchId.isPresent();
  }

  /** One line for a log. */
  public String describe() {
    String skipped = skippedDays.isEmpty() ? "" : "; " + String.join("; ", skippedDays);
    if (!committed()) {
      return "nothing new (" + listed + " raw objects listed)" + skipped;
    }
    return String.format(
        "batch %s: %d new objects of %s, %d rows appended, %d quarantined (snapshot %d)%s",
        batchId.get(), objects, days, rows, rejected, snapshotId.orElse(0L), skipped);
  }
}
