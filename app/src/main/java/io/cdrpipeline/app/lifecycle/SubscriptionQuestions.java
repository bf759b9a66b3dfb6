package io.cdrpipeline.app.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.config.ConfigException;
import io.cdrpipeline.config.SubscriptionParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The notification subscriptions of {@code cdr configure}: asked one at a time, or given as {@code
 * --notify TYPE:KEY=VALUE,...}; each checked as the config file's entry is.
 */
final class SubscriptionQuestions {
  private static final Set<String> TYPES = Set.of("email", "webhook", "sns", "log");

  private final Prompts prompts;

  SubscriptionQuestions(Prompts prompts) {
    this.prompts = Objects.requireNonNull(prompts, "prompts is null");
  }

  /** The subscriptions of the options, each checked. */
  static ArrayNode fromOptions(List<String> specs) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (String spec : specs) {
      list.add(subscription(spec));
    }
    return list;
  }

  /** Asks whether to keep {@code existing}, then for more, until Enter. */
  ArrayNode ask(ArrayNode existing) {
    ArrayNode list = existing.deepCopy();
    if (!list.isEmpty()) {
      prompts.say(
          "9. Notifications: "
              + list.size()
              + " subscription"
              + (list.size() == 1 ? "" : "s")
              + " of the existing file: "
              + describe(list)
              + ".");
      if (!prompts.yes("   Keep them?", true)) {
        list.removeAll();
      }
    } else {
      prompts.say(
          "9. Notifications: when a workflow ends (done, failed) and when a report is ready.");
    }
    while (true) {
      String type =
          prompts.ask(
              "   Add a subscription (email, webhook, sns, log; Enter when done)",
              "done",
              a -> {
                String t = a.toLowerCase(Locale.ROOT);
                if (!t.equals("done") && !TYPES.contains(t)) {
                  throw new IllegalArgumentException(
                      "'" + a + "' is not email, webhook, sns or log");
                }
                return t;
              });
      if (type.equals("done")) {
        return list;
      }
      while (true) {
        Map<String, Object> entry = askOne(type);
        try {
          SubscriptionParser.parse(entry, "notifications[" + list.size() + "]");
          list.add(new YAMLMapper().valueToTree(entry));
          break;
        } catch (ConfigException e) {
          prompts.say("  " + e.getMessage() + "; again:");
        }
      }
    }
  }

  private Map<String, Object> askOne(String type) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    Function<String, String> required =
        a -> {
          if (a.isBlank()) {
            throw new IllegalArgumentException("an answer is needed");
          }
          return a;
        };
    switch (type) {
      case "email" -> {
        m.put("host", prompts.ask("   SMTP server", null, required));
        String tls =
            prompts.ask(
                "   Connection protection (none, starttls, ssl)",
                "starttls",
                a -> {
                  String t = a.toLowerCase(Locale.ROOT);
                  if (!List.of("none", "starttls", "ssl").contains(t)) {
                    throw new IllegalArgumentException("'" + a + "' is not none, starttls or ssl");
                  }
                  return t;
                });
        m.put("tls", tls);
        m.put(
            "port",
            prompts.number(
                "   SMTP port",
                tls.equals("starttls") ? 587 : tls.equals("ssl") ? 465 : 25,
                1,
                65535));
        String user = prompts.ask("   SMTP user (Enter for none)", "", a -> a);
        if (!user.isEmpty()) {
          m.put("user", user);
          m.put("password", prompts.askSecret("   SMTP password", null, required));
        }
        m.put("from", prompts.ask("   From address", null, required));
        m.put(
            "to", addresses(prompts.ask("   To addresses (separated by commas)", null, required)));
      }
      case "webhook" -> {
        m.put("url", prompts.ask("   URL to POST to", null, required));
        String secret =
            prompts.askSecret(
                "   Secret sent in the X-Cdr-Secret header (Enter for none)", "", a -> a);
        if (!secret.isEmpty()) {
          m.put("secret", secret);
        }
      }
      case "sns" -> {
        String arn = prompts.ask("   SNS topic ARN", null, required);
        m.put("topicArn", arn);
        String region = prompts.ask("   Region (Enter for the ARN's)", "", a -> a);
        if (!region.isEmpty()) {
          m.put("region", region);
        }
      }
      default -> {
        // log: nothing to ask
      }
    }
    return m;
  }

  private static Object addresses(String list) {
    List<String> to = new ArrayList<>();
    for (String a : list.split("[,;]")) {
      if (!a.isBlank()) {
        to.add(a.strip());
      }
    }
    return to.size() == 1 ? to.get(0) : to;
  }

  /** {@code --notify email:host=h,from=f,to=a;b}: checked as the config file's entry is. */
  private static JsonNode subscription(String spec) {
    String s = spec.strip();
    int colon = s.indexOf(':');
    String type = (colon < 0 ? s : s.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    if (colon >= 0 && !s.substring(colon + 1).isBlank()) {
      for (String pair : s.substring(colon + 1).split(",")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new UserException(
              "--notify: '" + pair.strip() + "' is not KEY=VALUE (in '" + type + ":...')");
        }
        String k = pair.substring(0, eq).strip();
        String v = pair.substring(eq + 1).strip();
        m.put(
            k,
            k.equals("to")
                ? addresses(v)
                : k.equals("port") && v.matches("\\d{1,5}") ? (Object) Integer.valueOf(v) : v);
      }
    }
    try {
      SubscriptionParser.parse(m, "--notify " + type);
    } catch (ConfigException e) {
      throw new UserException(e.getMessage());
    }
    return new YAMLMapper().valueToTree(m);
  }

  private static String describe(ArrayNode list) {
    List<String> d = new ArrayList<>();
    list.forEach(
        n ->
            d.add(
                n.path("type").asText()
                    + (n.has("to")
                        ? " to " + n.get("to").toString().replace("\"", "")
                        : n.has("url")
                            ? " " + n.get("url").asText()
                            : n.has("topicArn") ? " " + n.get("topicArn").asText() : "")));
    return String.join(", ", d);
  }
}
