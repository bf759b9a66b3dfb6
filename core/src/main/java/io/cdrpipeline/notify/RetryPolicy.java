package io.cdrpipeline.notify;

import java.time.Duration;
import java.util.Objects;

/** Retry settings: attempts (>=1), first backoff, multiplier 2, max backoff. */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException(
          "initialBackoff must not be negative, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff must be at least initialBackoff (" + initialBackoff + "), got " + maxBackoff);
    }
  }

  /** 4 attempts, waiting 1 s, 2 s and 4 s between them; never more than 30 s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /**
   * The wait after failed attempt number {@code attempt} (1-based): doubling, capped at maxBackoff.
   */
  Duration backoffAfter(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
    }
    Duration d = initialBackoff;
    Duration half = maxBackoff.dividedBy(2);
    // step by step up to the cap: a large attempt number or a huge cap cannot overflow
    for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
      d = d.compareTo(half) > 0 ? maxBackoff : d.multipliedBy(2);
    }
    return d;
  }
}
