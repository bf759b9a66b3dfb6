package io.cdrpipeline.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads sizes as people write them: {@code 512MB}, {@code 2GB}, {@code 1.5GiB}; and writes them
 * back.
 */
public final class Sizes {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)");

  private Sizes() {}

  static long parse(String key, String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException(
          "bad value for '" + key + "': '" + text + "' is not a size (e.g. 512MB, 2GB)");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2);
    int power = "kmgt".indexOf(unit.charAt(0)) + 1;
    double base = unit.length() == 3 ? 1024 : unit.equals("b") ? 1 : 1000;
    double exact = n * Math.pow(unit.equals("b") ? 1 : base, unit.equals("b") ? 0 : power);
    if (exact >= 0x1p62) {
      throw new ConfigException("bad value for '" + key + "': '" + text + "' is too large");
    }
    long bytes = (long) exact;
    if (bytes < 1) {
      throw new ConfigException(
          "bad value for '" + key + "': '" + text + "' must be more than zero");
    }
    return bytes;
  }

  /** A size as a config file would say it, in decimal units: {@code 32MB}, {@code 24.6GB}. */
  public static String text(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    long scale = 1;
    while (u < units.length - 1 && bytes >= scale * 1000) {
      scale *= 1000;
      u++;
    }
    if (bytes % scale == 0) {
      return bytes / scale + units[u];
    }
    return String.format(Locale.ROOT, "%.1f%s", (double) bytes / scale, units[u]);
  }
}
