package io.cdrpipeline.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code watch:} block: whether {@code cdr serve} (and {@code cdr launch}) run {@code cdr
 * watch} in the background ({@code enabled}, default false) and how often it polls ({@code
 * interval}, default 5m, from 1s to 1d).
 */
public record WatchSettings(boolean enabled, Duration interval) {
  /** The default interval between two polls. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  /** The shortest interval. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The longest interval. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(1);

  /** Without a {@code watch:} block. */
  public static final WatchSettings DEFAULTS = new WatchSettings(false, DEFAULT_INTERVAL);

  public WatchSettings {
    Objects.requireNonNull(interval, "interval is null");
  }

  /**
   * Reads an interval as {@code watch.interval} is written ({@code 5m}, {@code 90s}, {@code 1h}),
   * from 1s to 1d; anything else is a {@link ConfigException} naming {@code key}.
   */
  public static Duration interval(String key, String text) {
    return Durations.parse(key, text, MIN_INTERVAL, MAX_INTERVAL);
  }
}
