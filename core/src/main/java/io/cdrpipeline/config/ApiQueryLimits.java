package io.cdrpipeline.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one query of the HTTP API may take ({@code query.apiTimeout}, {@code query.apiRowLimit}):
 * less time than a query on the command line, and a bounded number of rows in its answer.
 */
public record ApiQueryLimits(Duration timeout, int rowLimit) {
  /** One minute, 10,000 rows. */
  public static final ApiQueryLimits DEFAULTS = new ApiQueryLimits(Duration.ofMinutes(1), 10_000);
  /** The most rows an answer may be allowed to hold. */
  public static final int MAX_ROW_LIMIT = 1_000_000;

  public ApiQueryLimits {
    Objects.requireNonNull(timeout, "timeout is null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (rowLimit < 1 || rowLimit > MAX_ROW_LIMIT) {
      throw new IllegalArgumentException("rowLimit must be 1 to " + MAX_ROW_LIMIT + ", got " + rowLimit);
    }
  }
}
