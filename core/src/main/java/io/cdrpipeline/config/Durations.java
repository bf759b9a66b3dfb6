package io.cdrpipeline.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people write them in a config file: {@code 8h}, {@code 90m}, {@code 1h30m},
 * {@code 45s}, {@code PT8H}.
 */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)\\s*(ms|d|h|min|m|s)");

  private Durations() {}

  /** A duration from {@code min} to {@code max}, or a ConfigException naming the key. */
  static Duration parse(String key, String text, Duration min, Duration max) {
    Duration d;
    try {
      d = parse(key, text);
    } catch (ArithmeticException e) {
      throw new ConfigException(
          "bad value for '" + key + "': '" + text + "' is too long (at most " + show(max) + ")");
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new ConfigException(
          "bad value for '"
              + key
              + "': '"
              + text
              + "' is out of range ("
              + show(min)
              + " to "
              + show(max)
              + ")");
    }
    return d;
  }

  /** {@code 7d}, {@code 1s}, {@code 365d}, {@code 1ms}: a bound as a config file writes it. */
  private static String show(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    return d.toSeconds() % 86400 == 0
        ? d.toDays() + "d"
        : d.toSeconds() % 3600 == 0 ? d.toHours() + "h" : d.toSeconds() + "s";
  }

  private static Duration parse(String key, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("pt") || t.startsWith("p")) {
      try {
        return positive(key, text, Duration.parse(t.toUpperCase(Locale.ROOT)));
      } catch (DateTimeParseException e) {
        throw e.getCause() instanceof ArithmeticException a ? a : bad(key, text);
      }
    }
    Matcher m = PART.matcher(t.replace(" ", ""));
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        throw bad(key, text);
      }
      // more digits than a long holds are too long in any unit
      long n = m.group(1).length() > 18 ? Long.MAX_VALUE : Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          d = d.plusMillis(n);
          break;
        case "s":
          d = d.plusSeconds(n);
          break;
        case "m":
        case "min":
          d = d.plusMinutes(n);
          break;
        case "h":
          d = d.plusHours(n);
          break;
        default:
          d = d.plusDays(n);
      }
      end = m.end();
    }
    if (end == 0 || end != t.replace(" ", "").length()) {
      throw bad(key, text);
    }
    return positive(key, text, d);
  }

  private static Duration positive(String key, String text, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new ConfigException(
          "bad value for '" + key + "': '" + text + "' must be more than zero");
    }
    return d;
  }

  private static ConfigException bad(String key, String text) {
    if (text == null) {
      return new ConfigException(
          "bad value for '" + key + "': no value (a duration, e.g. 8h, 90m, 45s, 1h30m)");
    }
    return new ConfigException(
        "bad value for '" + key + "': '" + text + "' is not a duration (e.g. 8h, 90m, 45s, 1h30m)");
  }
}
