package io.cdrpipeline.etl;

import java.time.LocalDate;

/** Hears what an ETL run is doing, for progress bars and logs. Called from several threads. */
public interface EtlListener {
  /** A day starts; nothing is known of its size yet. */
  default void dayStarted(LocalDate day) {}

  /** Progress within a day: files done of files listed so far ({@code listingDone} when final). */
  default void progress(LocalDate day, long filesDone, long filesListed, boolean listingDone) {}

  /** A day ended, processed or skipped. */
  default void dayFinished(DaySummary summary) {}

  /** Something the user should know (waiting for a lock, a skipped file). */
  default void message(String text) {}

  /** A listener that ignores everything. */
  EtlListener NONE = new EtlListener() {};
}
