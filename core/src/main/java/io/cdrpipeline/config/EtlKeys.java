package io.cdrpipeline.config;

import io.cdrpipeline.table.MaxShrink;
import java.nio.file.Path;

/** Checks the {@code etl:} block; each mistake is one {@link ConfigException} naming its key. */
final class EtlKeys {
  /** The {@code etl:} block: {@code maxShrink} as a percentage from 0% to 100%. */
  static EtlSettings validate(ConfigFile.EtlFile raw, Path file) {
    if (raw == null || raw.maxShrink == null) {
      return EtlSettings.DEFAULTS;
    }
    try {
      if (!(raw.maxShrink instanceof String text)) {
        throw new IllegalArgumentException(
            "expected a percentage from 0% to 100%, e.g. 50%, got " + raw.maxShrink);
      }
      return new EtlSettings(MaxShrink.parse(text));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for 'etl.maxShrink' in " + file + ": " + e.getMessage());
    }
  }

  private EtlKeys() {}
}
