package io.cdrpipeline.store;

/** A number of bytes as people read it: {@code 512 B}, {@code 4.9 MiB}. */
public final class ByteSize {
  private ByteSize() {}

  /** {@code 1023 B}, {@code 1.0 KiB}, {@code 4.9 MiB}, {@code 2.0 TiB}. */
  public static String human(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    do {
      v /= 1024;
      u++;
    } while (v >= 1024 && u < units.length - 1);
    return String.format("%.1f %s", v, units[u]);
  }
}
