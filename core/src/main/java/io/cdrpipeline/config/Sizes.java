package io.cdrpipeline.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads sizes as people write them: {@code 512MB}, {@code 2GB}, {@code 1.5GiB}. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)");

  private Sizes() {}

  static long parse(String key, String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ConfigException("bad value for '" + key + "': '" + text + "' is not a size (e.g. 512MB, 2GB)");
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
      throw new ConfigException("bad value for '" + key + "': '" + text + "' must be more than zero");
    }
    return bytes;
  }
}
