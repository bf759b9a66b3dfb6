package io.cdrpipeline.app.context;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One structured line of the service's log, in logfmt ({@code key=value} pairs, a value with
 * spaces, quotes or '=' in double quotes with {@code \"} and {@code \\} escaped), so that journald,
 * Loki or a grep read it field by field.
 */
public final class LogLine {
  private LogLine() {}

  /**
   * {@code ts=<instant> event=<event>} followed by the fields that are not null, in their order.
   */
  public static String of(Instant at, String event, Map<String, ?> fields) {
    StringBuilder b = new StringBuilder("ts=").append(at).append(" event=").append(value(event));
    for (Map.Entry<String, ?> f : fields.entrySet()) {
      if (f.getValue() != null) {
        b.append(' ').append(f.getKey()).append('=').append(value(f.getValue().toString()));
      }
    }
    return b.toString();
  }

  /** Fields in the order given: {@code fields("step", "etl", "status", "started")}. */
  public static Map<String, Object> fields(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i].toString(), keysAndValues[i + 1]);
    }
    return m;
  }

  private static String value(String v) {
    String one = v.replace("\r", " ").replace("\n", " ");
    if (!one.isEmpty()
        && one.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c != '\\' && c < 127)) {
      return one;
    }
    return '"' + one.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
