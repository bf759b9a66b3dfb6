package io.cdrpipeline.model;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How the value of an unknown field lands in the column {@link RowRules#placeExtra} gives it: in
 * the column when its own type fits the column's ({@link RowRules#fits}), else as its JSON text in
 * the {@code <column>_text} column. Values are Long, Double, Boolean or String (a nested value is
 * its JSON text); every engine writes exactly these values.
 */
public final class ExtraValues {
  private ExtraValues() {}

  /** The type of a value as {@link RowRules#fits} takes it. */
  public static ColumnType typeOf(Object value) {
    if (value instanceof Boolean) {
      return ColumnType.BOOLEAN;
    }
    if (value instanceof Long) {
      return ColumnType.BIGINT;
    }
    if (value instanceof Double) {
      return ColumnType.DOUBLE;
    }
    return ColumnType.VARCHAR;
  }

  /**
   * The value as a column of this type holds it, or null when it does not fit the type (or is
   * null).
   */
  public static Object inColumn(Object value, ColumnType column) {
    if (value == null || !RowRules.fits(typeOf(value), column)) {
      return null;
    }
    switch (column) {
      case VARCHAR:
        return value instanceof Double d ? shortest(d, -5, 16, true) : value.toString();
      case DOUBLE:
        return value instanceof Long l ? (Object) (double) l : value;
      default:
        return value;
    }
  }

  /**
   * The value as its {@code <column>_text} column holds it: a string as it is, anything else as
   * JSON.
   */
  public static String asText(Object value) {
    return value instanceof Double d ? shortest(d, -7, 21, false) : value.toString();
  }

  /**
   * The shortest decimal that reads back as the double: plain ({@code 1500.0}, {@code 0.001}) when
   * the decimal exponent lies strictly between {@code low} and {@code high}, else in scientific
   * notation, as SQL engines ({@code 1e+16}, {@code 1e-05}) or JSON ({@code 1e21}, {@code 1e-7})
   * write it.
   */
  static String shortest(double d, int low, int high, boolean sqlExponent) {
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(d);
    BigDecimal s = null;
    for (int n = 1; n <= 17; n++) {
      BigDecimal r = exact.round(new MathContext(n, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == d) {
        s = r;
        break;
      }
    }
    if (s == null) {
      s = exact.round(MathContext.DECIMAL64);
    }
    s = s.stripTrailingZeros();
    String digits = s.unscaledValue().abs().toString();
    int e = digits.length() - 1 - s.scale();
    StringBuilder b = new StringBuilder(24);
    if (d < 0) {
      b.append('-');
    }
    if (e > low && e < high) {
      if (e >= 0) {
        if (digits.length() <= e + 1) {
          b.append(digits).append("0".repeat(e + 1 - digits.length())).append(".0");
        } else {
          b.append(digits, 0, e + 1).append('.').append(digits, e + 1, digits.length());
        }
      } else {
        b.append("0.").append("0".repeat(-e - 1)).append(digits);
      }
      return b.toString();
    }
    b.append(digits.charAt(0));
    if (digits.length() > 1) {
      b.append('.').append(digits, 1, digits.length());
    }
    b.append('e');
    if (sqlExponent) {
      b.append(e < 0 ? '-' : '+');
      int abs = Math.abs(e);
      if (abs < 10) {
        b.append('0');
      }
      b.append(abs);
    } else {
      b.append(e);
    }
    return b.toString();
  }
}
