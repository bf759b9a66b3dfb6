package io.cdrpipeline.app.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wrong tokens per client address: after {@code limit} of them within {@code window} (counted from
 * the first), the address is refused (429) until the window ends, the right token included, so a
 * token cannot be guessed by trying. Bounded: the oldest addresses are forgotten first.
 */
public final class FailedLogins {
  static final int LIMIT = 10;
  public static final Duration WINDOW = Duration.ofMinutes(5);

  private final int limit;
  private final Duration window;
  private final Cache<String, AtomicInteger> failures;

  FailedLogins() {
    this(LIMIT, WINDOW, Ticker.systemTicker());
  }

  public FailedLogins(int limit, Duration window, Ticker ticker) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    this.limit = limit;
    this.window = Objects.requireNonNull(window, "window is null");
    // expiry from the first failure: later ones do not extend the window
    this.failures =
        Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).ticker(ticker).build();
  }

  /** True if the address has used up its attempts for now. */
  boolean blocked(String address) {
    AtomicInteger n = failures.getIfPresent(address);
    return n != null && n.get() >= limit;
  }

  /** Counts one wrong token from the address. */
  void failed(String address) {
    failures.get(address, a -> new AtomicInteger()).incrementAndGet();
  }

  /** Seconds a refused client is told to wait (the whole window: when it began is not kept). */
  long retryAfterSeconds() {
    return window.toSeconds();
  }
}
