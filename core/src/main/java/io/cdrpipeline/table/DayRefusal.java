package io.cdrpipeline.table;

import io.cdrpipeline.catalog.ProcessedDay;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a run does not replace a day, by the one rule every engine and every way in (cdr etl, the
 * workflows, the API, backfill, the Spark job) follows: a day whose listing finds no raw object is
 * never committed (its previous data stays; an empty day would delete it), and a day whose raw
 * objects shrank by more than {@link MaxShrink} since its last commit is not replaced unless
 * forced. The count compared is the catalog's bookkeeping of the day's last commit (its source
 * objects).
 */
public record DayRefusal(
    LocalDate day, long rawObjects, Optional<ProcessedDay> last, MaxShrink limit) {
  public DayRefusal {
    Objects.requireNonNull(day, "day is null");
    Objects.requireNonNull(last, "last is null");
    Objects.requireNonNull(limit, "limit is null");
  }

  /**
   * The refusal of replacing {@code day}, whose listing found {@code rawObjects}, or empty when the
   * run may go on. {@code force} lifts the shrink limit, never the rule about a day without raw
   * files.
   */
  static Optional<DayRefusal> check(
      LocalDate day, long rawObjects, Optional<ProcessedDay> last, MaxShrink limit, boolean force) {
    if (rawObjects == 0) {
      return Optional.of(new DayRefusal(day, 0, last, limit));
    }
    if (!force && last.isPresent() && limit.exceededBy(last.get().sourceObjects(), rawObjects)) {
      return Optional.of(new DayRefusal(day, rawObjects, last, limit));
    }
    return Optional.empty();
  }

  /**
   * True when no raw file of the day was found at all (the other refusal is a shrink, which force
   * lifts).
   */
  public boolean noRawFiles() {
    return rawObjects == 0;
  }

  /** The rows the day keeps, from its last commit. */
  public long rowsKept() {
    return last.map(ProcessedDay::rowsWritten).orElse(0L);
  }

  /**
   * One line: what was found (in {@code where}, the buckets read), that nothing changed, and what
   * the day keeps.
   */
  public String message(String where) {
    if (noRawFiles()) {
      return "no raw CDR files for "
          + day
          + " in "
          + where
          + ": nothing processed, nothing recorded"
          + last.map(
                  d ->
                      "; the day keeps its "
                          + String.format("%,d", d.rowsWritten())
                          + " rows (committed from "
                          + String.format("%,d", d.sourceObjects())
                          + " raw files), 'cdr table drop-day --date "
                          + day
                          + "' removes them")
              .orElse("");
    }
    long before = last.orElseThrow().sourceObjects();
    long fewer =
        (long)
            Math.ceil(
                (before - rawObjects) * 100.0 / before); // never shown as the limit it exceeds
    return day
        + " has "
        + String.format("%,d", rawObjects)
        + " raw files in "
        + where
        + " where its last commit had "
        + String.format("%,d", before)
        + " ("
        + fewer
        + "% fewer, more than etl.maxShrink "
        + limit
        + "): nothing processed, nothing recorded, the day keeps its "
        + String.format("%,d", rowsKept())
        + " rows";
  }
}
