package io.cdrpipeline.etl;

import io.cdrpipeline.table.DayTarget;
import java.io.IOException;

/**
 * What turns one day's raw objects into the processed table's data files: the embedded engine on
 * this machine, or Spark on a cluster. An engine only writes files and reports; the shared {@link
 * io.cdrpipeline.table.ProcessedTable} commits them.
 */
public interface EtlEngine {
  /**
   * Reads and normalizes the day's raw objects, writes its rows as Parquet data files at the
   * target's locations (with the target's field ids), and returns them with the day's counts,
   * fingerprint and rejections. The caller commits, then closes the result.
   */
  DayResult process(DayTarget target, int workers) throws IOException;

  /** The readers a run really uses for the requested number. */
  int effectiveWorkers(int requested);
}
