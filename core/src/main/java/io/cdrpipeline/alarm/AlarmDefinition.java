package io.cdrpipeline.alarm;

import io.cdrpipeline.notify.Subscription;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One configured alarm: its name, its rule, the rule's thresholds (every one, defaults filled in),
 * the high-risk prefixes of the irsf rule, the connectors it covers (empty: all) and the
 * subscribers told when it fires and when it resolves.
 */
public record AlarmDefinition(
    String name,
    AlarmRule rule,
    Map<String, Double> thresholds,
    List<String> highRiskPrefixes,
    List<String> connectors,
    List<Subscription> subscribers) {
  public AlarmDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rule, "rule");
    Map<String, Double> all = new LinkedHashMap<>(rule.defaults());
    for (Map.Entry<String, Double> e : thresholds.entrySet()) {
      if (!all.containsKey(e.getKey())) {
        throw new IllegalArgumentException(
            "unknown threshold '"
                + e.getKey()
                + "' for rule "
                + rule.id()
                + " (known: "
                + String.join(", ", rule.defaults().keySet())
                + ")");
      }
      all.put(e.getKey(), e.getValue());
    }
    thresholds = java.util.Collections.unmodifiableMap(all);
    highRiskPrefixes = List.copyOf(highRiskPrefixes);
    connectors = List.copyOf(connectors);
    subscribers = List.copyOf(subscribers);
  }

  /** An alarm of a rule with its default thresholds, covering every connector, told to nobody. */
  public static AlarmDefinition of(String name, AlarmRule rule) {
    return new AlarmDefinition(name, rule, Map.of(), List.of(), List.of(), List.of());
  }

  /** A threshold's value. */
  public double threshold(String key) {
    Double v = thresholds.get(key);
    if (v == null) {
      throw new IllegalArgumentException("rule " + rule.id() + " has no threshold " + key);
    }
    return v;
  }
}
