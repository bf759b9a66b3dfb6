package io.cdrpipeline.config;

import io.cdrpipeline.alarm.AlarmDefinition;
import io.cdrpipeline.alarm.AlarmRule;
import io.cdrpipeline.notify.Subscription;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the {@code alarms:} list: each entry a name, a rule, its thresholds, the connectors it
 * covers (all when left out) and its subscribers (those of {@code notifications:} when left out,
 * each entry read by {@link SubscriptionParser}). Every mistake is one {@link ConfigException}
 * naming its key.
 */
final class AlarmKeys {
  private static final Set<String> KEYS =
      Set.of("name", "rule", "thresholds", "connectors", "highRiskPrefixes", "subscribers");

  /** Thresholds that count something (calls, days, seconds, minutes): whole numbers. */
  private static final Set<String> WHOLE =
      Set.of(
          "minCalls",
          "baselineDays",
          "weeks",
          "days",
          "maxSeconds",
          "minNumbers",
          "burstMinutes",
          "minutes");

  /** Thresholds that are fractions of one. */
  private static final Set<String> FRACTIONS = Set.of("rate", "minRate", "asrDrop", "acdDrop");

  static List<AlarmDefinition> validate(
      List<Map<String, Object>> raw, List<Subscription> notifications, Path file) {
    List<AlarmDefinition> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      String at = "alarms[" + i + "]";
      Map<String, Object> e = raw.get(i);
      if (e == null) {
        throw bad(at, file, "empty entry (expected name, rule, ...)");
      }
      for (String k : e.keySet()) {
        if (!KEYS.contains(k)) {
          throw new ConfigException(
              "unknown key '"
                  + at
                  + "."
                  + k
                  + "' in "
                  + file
                  + " (known keys: connectors, highRiskPrefixes, name, rule, subscribers, thresholds)");
        }
      }
      String name = text(e, "name", at, file);
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
        throw bad(
            at + ".name",
            file,
            "'" + name + "' (letters, digits, '.', '_' and '-', at most 100, e.g. trunk-failures)");
      }
      if (!names.add(name)) {
        throw bad(at + ".name", file, "'" + name + "' names another alarm too");
      }
      String ruleName = text(e, "rule", at, file);
      AlarmRule rule =
          AlarmRule.of(ruleName)
              .orElseThrow(
                  () ->
                      bad(
                          at + ".rule",
                          file,
                          "'" + ruleName + "' (one of " + AlarmRule.names() + ")"));
      Map<String, Double> thresholds = thresholds(e.get("thresholds"), rule, at, file);
      List<String> connectors = strings(e.get("connectors"), at + ".connectors", file);
      for (String c : connectors) {
        if (!c.matches("[A-Za-z0-9]{1,64}")) {
          throw bad(at + ".connectors", file, "'" + c + "' is not a voice connector id");
        }
      }
      List<String> prefixes = new ArrayList<>();
      if (e.containsKey("highRiskPrefixes")) {
        if (rule != AlarmRule.IRSF) {
          throw bad(at + ".highRiskPrefixes", file, "only the irsf rule takes high-risk prefixes");
        }
        for (String p : strings(e.get("highRiskPrefixes"), at + ".highRiskPrefixes", file)) {
          String digits = p.trim().startsWith("+") ? p.trim().substring(1) : p.trim();
          if (!digits.matches("[0-9]{1,15}")) {
            throw bad(
                at + ".highRiskPrefixes",
                file,
                "'" + p + "' is not a number prefix (e.g. +882 or 881)");
          }
          prefixes.add("+" + digits);
        }
      }
      List<Subscription> subscribers = notifications;
      if (e.containsKey("subscribers")) {
        Object s = e.get("subscribers");
        if (!(s instanceof List<?> list)) {
          throw bad(at + ".subscribers", file, "expected a list of notification channels");
        }
        subscribers = new ArrayList<>();
        for (int j = 0; j < list.size(); j++) {
          String key = at + ".subscribers[" + j + "]";
          if (!(list.get(j) instanceof Map<?, ?> m)) {
            throw bad(key, file, "expected keys such as 'type: email'");
          }
          @SuppressWarnings("unchecked")
          Map<String, Object> entry = (Map<String, Object>) m;
          subscribers.add(SubscriptionParser.parse(entry, key));
        }
      }
      out.add(new AlarmDefinition(name, rule, thresholds, prefixes, connectors, subscribers));
    }
    return out;
  }

  private static Map<String, Double> thresholds(Object raw, AlarmRule rule, String at, Path file) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    if (!(raw instanceof Map<?, ?> m)) {
      throw bad(at + ".thresholds", file, "expected keys and values, e.g. rate: 0.3");
    }
    for (Map.Entry<?, ?> t : m.entrySet()) {
      String key = String.valueOf(t.getKey());
      String path = at + ".thresholds." + key;
      if (!rule.defaults().containsKey(key)) {
        throw new ConfigException(
            "unknown key '"
                + path
                + "' in "
                + file
                + " (rule "
                + rule.id()
                + " takes: "
                + String.join(", ", rule.defaults().keySet())
                + ")");
      }
      if (!(t.getValue() instanceof Number n)) {
        throw bad(path, file, "expected a number, got " + describe(t.getValue()));
      }
      double v = n.doubleValue();
      if (!(v > 0) || Double.isInfinite(v)) {
        throw bad(path, file, "expected a number above 0, got " + n);
      }
      if (WHOLE.contains(key) && (v != Math.rint(v) || v > 100_000)) {
        throw bad(path, file, "expected a whole number from 1 to 100000, got " + n);
      }
      if (FRACTIONS.contains(key) && v > 1) {
        throw bad(path, file, "expected a fraction from 0 to 1 (e.g. 0.3 for 30%), got " + n);
      }
      if ((key.equals("minutes") || key.equals("burstMinutes")) && 1440 % (long) v != 0) {
        throw bad(
            path, file, "expected minutes that divide a day (e.g. 15, 30, 60, 120), got " + n);
      }
      out.put(key, v);
    }
    return out;
  }

  private static String text(Map<String, Object> e, String key, String at, Path file) {
    Object v = e.get(key);
    if (v == null) {
      throw new ConfigException("missing '" + at + "." + key + "' in " + file);
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw bad(at + "." + key, file, "expected text, got " + describe(v));
    }
    return s.trim();
  }

  private static List<String> strings(Object v, String path, Path file) {
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof List<?> l)) {
      throw bad(path, file, "expected a list, got " + describe(v));
    }
    for (Object o : l) {
      if (!(o instanceof String s) || s.isBlank()) {
        throw bad(path, file, "expected a list of text, got " + describe(o));
      }
      out.add(s.trim());
    }
    return out;
  }

  private static String describe(Object v) {
    return v == null
        ? "nothing"
        : v instanceof String s
            ? "'" + s + "'"
            : v instanceof Map ? "keys and values" : v.toString();
  }

  private static ConfigException bad(String key, Path file, String why) {
    return new ConfigException("bad value for '" + key + "' in " + file + ": " + why);
  }

  private AlarmKeys() {}
}
