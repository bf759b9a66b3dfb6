package io.cdrpipeline.config;

import io.cdrpipeline.schedule.ScheduleExpression;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the {@code schedules:} block; each mistake is one {@link ConfigException} naming its key.
 */
final class ScheduleKeys {
  /** The schedules of {@code raw} over the defaults {@code d}: a schedule set to off is removed. */
  static Map<String, ScheduleExpression> validate(
      Map<String, String> raw, Map<String, ScheduleExpression> d, Path file) {
    Map<String, ScheduleExpression> schedules = new LinkedHashMap<>(d);
    if (raw == null) {
      return schedules;
    }
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = "schedules." + e.getKey();
      if (!List.of("daily", "monthlyReport", "full").contains(e.getKey())) {
        throw new ConfigException(
            "unknown key '" + key + "' in " + file + " (known keys: daily, monthlyReport, full)");
      }
      String v = e.getValue() == null ? "off" : e.getValue().trim();
      if (v.equalsIgnoreCase("off")
          || v.equalsIgnoreCase("false")
          || v.equalsIgnoreCase("none")
          || v.isEmpty()) {
        schedules.remove(e.getKey());
        continue;
      }
      ScheduleExpression expression;
      try {
        expression = ScheduleExpression.parse(v);
      } catch (IllegalArgumentException ex) {
        throw new ConfigException(
            "bad value for '" + key + "' in " + file + ": " + ex.getMessage());
      }
      if (expression.nextAfter(Instant.now()).equals(Instant.MAX)) {
        throw new ConfigException(
            "bad value for '"
                + key
                + "' in "
                + file
                + ": '"
                + v
                + "' never fires (a day that does not exist, or only years in the past)");
      }
      schedules.put(e.getKey(), expression);
    }
    return schedules;
  }

  private ScheduleKeys() {}
}
