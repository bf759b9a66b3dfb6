package io.cdrpipeline.config;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What queries of the HTTP API may take ({@code query.apiTimeout}, {@code query.apiRowLimit},
 * {@code query.apiConcurrency}): less time than a query on the command line, a bounded number of
 * rows in an answer, and a bounded number of queries at once (when not given, as many as the
 * machine's cores and the Java heap allow).
 */
public record ApiQueryLimits(Duration timeout, int rowLimit, OptionalInt concurrency) {
  /** One minute, 10,000 rows, as many at once as the machine allows. */
  public static final ApiQueryLimits DEFAULTS = new ApiQueryLimits(Duration.ofMinutes(1), 10_000);

  /** The most rows an answer may be allowed to hold. */
  public static final int MAX_ROW_LIMIT = 1_000_000;

  /** The most queries at once {@code query.apiConcurrency} may allow. */
  public static final int MAX_CONCURRENCY = 64;

  /** The limits with as many queries at once as the machine allows. */
  public ApiQueryLimits(Duration timeout, int rowLimit) {
    this(timeout, rowLimit, OptionalInt.empty());
  }

  public ApiQueryLimits {
    Objects.requireNonNull(timeout, "timeout is null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (rowLimit < 1 || rowLimit > MAX_ROW_LIMIT) {
      throw new IllegalArgumentException(
          "rowLimit must be 1 to " + MAX_ROW_LIMIT + ", got " + rowLimit);
    }
    Objects.requireNonNull(concurrency, "concurrency is null");
    if (concurrency.isPresent()
        && (concurrency.getAsInt() < 1 || concurrency.getAsInt() > MAX_CONCURRENCY)) {
      throw new IllegalArgumentException(
          "concurrency must be 1 to " + MAX_CONCURRENCY + ", got " + concurrency.getAsInt());
    }
  }
}
