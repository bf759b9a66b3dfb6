package io.cdrpipeline.table;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much smaller a day's raw objects may be than the objects it was last committed from before a
 * run that would replace it is refused ({@code etl.maxShrink}, a percentage such as {@code 50%}): a
 * raw folder half gone is far more often a lifecycle rule, a copy in progress or the wrong bucket
 * than a day that really lost its calls.
 */
public record MaxShrink(BigDecimal percent) {
  /** The default: a day may lose up to half of its raw objects. */
  public static final MaxShrink DEFAULT = new MaxShrink(BigDecimal.valueOf(50));

  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,2})?)\\s*%");

  public MaxShrink {
    Objects.requireNonNull(percent, "percent is null");
    if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
      throw new IllegalArgumentException(
          "a shrink limit is from 0% to 100%, got " + percent.toPlainString() + "%");
    }
  }

  /**
   * Reads {@code 50%}, {@code 0%}, {@code 12.5%}, {@code 100%}; anything else is an
   * IllegalArgumentException saying what is expected.
   */
  public static MaxShrink parse(String text) {
    Matcher m = PERCENT.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a percentage from 0% to 100%, e.g. 50%, got '" + text + "'");
    }
    BigDecimal p = new BigDecimal(m.group(1));
    if (p.compareTo(BigDecimal.valueOf(100)) > 0) {
      throw new IllegalArgumentException(
          "expected a percentage from 0% to 100%, e.g. 50%, got '" + text + "'");
    }
    return new MaxShrink(p);
  }

  /**
   * True when going from {@code before} raw objects to {@code now} loses more than this share of
   * them.
   */
  public boolean exceededBy(long before, long now) {
    if (now >= before) {
      return false;
    }
    // (before - now) / before > percent / 100, in whole numbers
    return BigDecimal.valueOf(before - now)
            .multiply(BigDecimal.valueOf(100))
            .compareTo(percent.multiply(BigDecimal.valueOf(before)))
        > 0;
  }

  @Override
  public String toString() {
    return percent.stripTrailingZeros().toPlainString() + "%";
  }
}
