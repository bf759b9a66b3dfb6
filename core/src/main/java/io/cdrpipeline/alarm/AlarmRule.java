package io.cdrpipeline.alarm;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The built-in rules, each a query over the processed table ({@link RuleQueries}), and the
 * thresholds each takes with their defaults.
 */
public enum AlarmRule {
  /**
   * A connector's failure rate (calls with status Failed) over the window at or above {@code rate},
   * or at or above {@code baselineFactor} times its own rate over the {@code baselineDays} before
   * the window; never below {@code minRate}, and only with {@code minCalls} calls in the window.
   */
  FAILURE_RATE(
      "failure-rate",
      "a connector's failure rate above a threshold, or against its own baseline",
      defaults(
          "rate", 0.3, "baselineFactor", 3, "minRate", 0.15, "minCalls", 20, "baselineDays", 7)),
  /**
   * A connector's answer-seizure ratio (answered calls among its completed calls) or average call
   * duration (billable seconds of answered calls) dropping by {@code asrDrop} or {@code acdDrop}
   * (fractions) against the same hours of the same weekday over the previous {@code weeks} weeks.
   */
  ASR_ACD_DROP(
      "asr-acd-drop",
      "ASR or ACD of a connector dropping against the same hours of the same weekday",
      defaults("asrDrop", 0.3, "acdDrop", 0.5, "minCalls", 20, "weeks", 4)),
  /**
   * Outbound calls to a destination country the connector has not called in the {@code days} before
   * the window, and calls to numbers starting with a prefix of {@code highRiskPrefixes}
   * (international revenue-share fraud).
   */
  IRSF(
      "irsf",
      "calls to a country new for the connector, or to a high-risk prefix",
      defaults("days", 30)),
  /**
   * At least {@code minNumbers} distinct numbers called by one connector with outbound calls of at
   * most {@code maxSeconds} seconds within one {@code burstMinutes}-minute period (wangiri).
   */
  WANGIRI(
      "wangiri",
      "a burst of very short outbound calls to many distinct numbers",
      defaults("maxSeconds", 6, "minNumbers", 30, "burstMinutes", 15)),
  /**
   * Billable outbound minutes to a country over the window at or above {@code minMinutes} and above
   * {@code factor} times its average for a window as long over the {@code baselineDays} before; a
   * country without minutes in the baseline is the irsf rule's.
   */
  SPEND_SPIKE(
      "spend-spike",
      "billable minutes to a country above its baseline",
      defaults("factor", 4, "minMinutes", 120, "baselineDays", 7)),
  /**
   * A connector without any call for a whole {@code minutes}-minute period of the window in which
   * it had, on average over the {@code baselineDays} before, at least {@code minBaselineCalls}
   * calls.
   */
  SILENT_CONNECTOR(
      "silent-connector",
      "a connector silent for N minutes in hours when it normally has traffic",
      defaults("minutes", 60, "minBaselineCalls", 5, "baselineDays", 7));

  private final String id;
  private final String description;
  private final Map<String, Double> defaults;

  AlarmRule(String id, String description, Map<String, Double> defaults) {
    this.id = id;
    this.description = description;
    this.defaults = defaults;
  }

  /** The rule's name in the config, the API and the command line, e.g. {@code failure-rate}. */
  public String id() {
    return id;
  }

  /** One line telling what the rule catches. */
  public String description() {
    return description;
  }

  /** The thresholds this rule takes, with their defaults, in a fixed order. */
  public Map<String, Double> defaults() {
    return defaults;
  }

  /** The rule of a name, e.g. {@code spend-spike}. */
  public static Optional<AlarmRule> of(String id) {
    String t = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(r -> r.id.equals(t)).findFirst();
  }

  /** "failure-rate, asr-acd-drop, ...". */
  public static String names() {
    return Arrays.stream(values()).map(AlarmRule::id).collect(Collectors.joining(", "));
  }

  private static Map<String, Double> defaults(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
