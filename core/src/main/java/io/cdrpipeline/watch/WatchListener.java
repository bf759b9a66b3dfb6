package io.cdrpipeline.watch;

import java.time.LocalDate;
import java.util.List;

/**
 * Told after every watch batch that committed: the point where work that follows new rows (alarms,
 * a console that refreshes) hooks in. Called on the watch's thread after the batch is committed and
 * recorded; an exception it throws is logged and does not undo the batch.
 */
@FunctionalInterface
public interface WatchListener {
  /** A listener that does nothing. */
  WatchListener NONE = (days, batch) -> {};

  /**
   * A batch committed.
   *
   * @param days the days whose partitions the batch appended to
   * @param batch what it committed
   */
  void batchCommitted(List<LocalDate> days, WatchBatch batch);
}
