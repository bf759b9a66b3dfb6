package io.cdrpipeline.config;

import io.cdrpipeline.workflow.Workflows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Checks the {@code timeouts:} block; each mistake is one {@link ConfigException} naming its key.
 */
final class TimeoutKeys {
  /** The longest total timeout of a workflow: what Step Functions allows an execution. */
  static final Duration MAX_TIMEOUT = Duration.ofDays(365);

  /** The timeouts of {@code raw} over the defaults {@code d}. */
  static Workflows.Timeouts validate(Map<String, String> raw, Workflows.Timeouts d, Path file) {
    Workflows.Timeouts t = d;
    if (raw == null) {
      return t;
    }
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = "timeouts." + e.getKey();
      Duration v = Durations.parse(key, e.getValue(), Duration.ofMillis(1), MAX_TIMEOUT);
      switch (e.getKey()) {
        case "daily":
          t = new Workflows.Timeouts(v, t.full(), t.report());
          break;
        case "full":
          t = new Workflows.Timeouts(t.daily(), v, t.report());
          break;
        case "report":
          t = new Workflows.Timeouts(t.daily(), t.full(), v);
          break;
        default:
          throw new ConfigException(
              "unknown key '" + key + "' in " + file + " (known keys: daily, full, report)");
      }
    }
    return t;
  }

  private TimeoutKeys() {}
}
