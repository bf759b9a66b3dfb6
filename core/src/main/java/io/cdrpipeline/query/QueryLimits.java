package io.cdrpipeline.query;

import java.time.Duration;
import java.util.Objects;

/**
 * What one query may use: wall-clock time (then it is interrupted), DuckDB memory (outside the Java
 * heap), temporary disk space for spilling beyond that memory, and the text of a result held whole
 * in this JVM's memory (an answer of the HTTP API, an aligned table).
 */
public record QueryLimits(Duration timeout, long memoryBytes, long maxTempBytes, long resultBytes) {
  /**
   * Ten minutes, 1 GB of memory (the default of {@code etlMemoryLimit}, which a config file's
   * {@code query.memoryLimit} defaults to), 10 GiB of temporary files, 32 MB of result.
   */
  public static final QueryLimits DEFAULTS =
      new QueryLimits(Duration.ofMinutes(10), 1_000_000_000L, 10L << 30);

  /** The text a result held in memory may have unless the config says otherwise: 32 MB. */
  public static final long DEFAULT_RESULT_BYTES = 32_000_000L;

  /** The limits with the default bound on a result held in memory. */
  public QueryLimits(Duration timeout, long memoryBytes, long maxTempBytes) {
    this(timeout, memoryBytes, maxTempBytes, DEFAULT_RESULT_BYTES);
  }

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
    if (resultBytes < 1) {
      throw new IllegalArgumentException("resultBytes must be positive, got " + resultBytes);
    }
  }

  /** The same limits with another timeout. */
  public QueryLimits withTimeout(Duration t) {
    return new QueryLimits(t, memoryBytes, maxTempBytes, resultBytes);
  }
}
