package io.cdrpipeline.model;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The folder layout Voice Connector writes CDRs in: {@code
 * Amazon-Chime-Voice-Connector-CDRs/json/<VoiceConnectorId>/<YYYY>/<MM>/<DD>/<object>}. Other
 * prefixes of a bucket are not CDRs and are ignored.
 */
public final class RawLayout {
  /** The prefix every CDR key starts with. */
  public static final String ROOT = "Amazon-Chime-Voice-Connector-CDRs/json/";

  private static final Pattern YEAR = Pattern.compile("\\d{4}");
  private static final Pattern TWO_DIGITS = Pattern.compile("\\d{2}");

  private RawLayout() {}

  /** The prefix of a connector's folders. */
  public static String connectorPrefix(String voiceConnectorId) {
    return ROOT + voiceConnectorId + "/";
  }

  /** The prefix of one connector's day folder. */
  public static String dayPrefix(String voiceConnectorId, LocalDate day) {
    return ROOT + voiceConnectorId + "/" + new DayPartition(day).rawPath() + "/";
  }

  /** The partition path of a connector's day, {@code <vc>/YYYY/MM/DD}. */
  public static String partitionPath(String voiceConnectorId, LocalDate day) {
    return voiceConnectorId + "/" + new DayPartition(day).rawPath();
  }

  /** True for a year folder name ({@code 2026}). */
  public static boolean isYear(String name) {
    return YEAR.matcher(name).matches();
  }

  /** True for a month folder name ({@code 01}–{@code 12}). */
  public static boolean isMonth(String name) {
    if (!TWO_DIGITS.matcher(name).matches()) {
      return false;
    }
    int m = Integer.parseInt(name);
    return m >= 1 && m <= 12;
  }

  /** The date of year/month/day folder names, if they form a real date. */
  public static Optional<LocalDate> date(String year, String month, String day) {
    if (!isYear(year) || !isMonth(month) || !TWO_DIGITS.matcher(day).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          LocalDate.of(Integer.parseInt(year), Integer.parseInt(month), Integer.parseInt(day)));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }
}
