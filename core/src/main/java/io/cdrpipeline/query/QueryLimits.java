package io.cdrpipeline.query;

import java.time.Duration;
import java.util.Objects;

/**
 * What one query may use: wall-clock time (then it is interrupted), DuckDB memory (outside the
 * Java heap) and temporary disk space for spilling beyond that memory.
 */
public record QueryLimits(Duration timeout, long memoryBytes, long maxTempBytes) {
  /** Ten minutes, 1 GiB of memory, 10 GiB of temporary files. */
  public static final QueryLimits DEFAULTS =
      new QueryLimits(Duration.ofMinutes(10), 1L << 30, 10L << 30);

  public QueryLimits {
    Objects.requireNonNull(timeout, "timeout is null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (memoryBytes < 1) {
      throw new IllegalArgumentException("memoryBytes must be positive, got " + memoryBytes);
    }
    if (maxTempBytes < 0) {
      throw new IllegalArgumentException("maxTempBytes must not be negative, got " + maxTempBytes);
    }
  }

  /** The same limits with another timeout. */
  public QueryLimits withTimeout(Duration t) {
    return new QueryLimits(t, memoryBytes, maxTempBytes);
  }
}
