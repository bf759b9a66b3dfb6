package io.cdrpipeline.etl;

import java.util.Objects;

/**
 * A run that kept one or more days as they were by the rule of {@link
 * io.cdrpipeline.table.DayRefusal} (no raw file, or a shrink beyond {@code etl.maxShrink}): nothing
 * of those days was committed; the message is one line naming them and the way on. The summary has
 * every day of the run, the others processed or skipped as usual.
 */
public final class DayRefusedException extends EtlException {
  private static final long serialVersionUID = 1L;
  private final transient EtlSummary summary;

  DayRefusedException(String message, EtlSummary summary) {
    super(message, null);
    this.summary = Objects.requireNonNull(summary, "summary is null");
  }

  /** The run's days, the refused ones with their reason. */
  public EtlSummary summary() {
    return summary;
  }
}
