package io.cdrpipeline.config;

import java.nio.file.Path;

/** Checks the {@code watch:} block; each mistake is one {@link ConfigException} naming its key. */
final class WatchKeys {
  private WatchKeys() {}

  /** The {@code watch:} block: {@code enabled} (true/false) and {@code interval} (1s to 1d). */
  static WatchSettings validate(ConfigFile.WatchFile raw, Path file) {
    if (raw == null) {
      return WatchSettings.DEFAULTS;
    }
    boolean enabled = false;
    if (raw.enabled != null) {
      if (!(raw.enabled instanceof Boolean b)) {
        throw new ConfigException(
            "bad value for 'watch.enabled' in "
                + file
                + ": expected true or false, got "
                + raw.enabled);
      }
      enabled = b;
    }
    var interval = WatchSettings.DEFAULT_INTERVAL;
    if (raw.interval != null) {
      try {
        interval = WatchSettings.interval("watch.interval", raw.interval.toString());
      } catch (ConfigException e) {
        throw new ConfigException(e.getMessage() + " in " + file);
      }
    }
    return new WatchSettings(enabled, interval);
  }
}
