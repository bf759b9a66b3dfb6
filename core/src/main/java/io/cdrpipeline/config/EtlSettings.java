package io.cdrpipeline.config;

import io.cdrpipeline.table.MaxShrink;
import java.util.Objects;

/**
 * The {@code etl:} block: how much smaller a day's raw objects may be than at its last commit
 * before a run that would replace it is refused ({@code maxShrink}, a percentage, default 50%).
 */
public record EtlSettings(MaxShrink maxShrink) {
  /** Without an {@code etl:} block. */
  public static final EtlSettings DEFAULTS = new EtlSettings(MaxShrink.DEFAULT);

  public EtlSettings {
    Objects.requireNonNull(maxShrink, "maxShrink is null");
  }
}
