package io.cdrpipeline.config;

import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Subscription.Tls;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one entry of the {@code notifications:} block into a {@link Subscription}. */
public final class SubscriptionParser {
  private static final String TYPES = "one of email, webhook, sns, log";
  private static final Map<String, Set<String>> KEYS =
      Map.of(
          "email", Set.of("type", "host", "port", "tls", "user", "password", "from", "to"),
          "webhook", Set.of("type", "url", "secret", "header"),
          "sns", Set.of("type", "topicArn", "region", "endpoint"),
          "log", Set.of("type"));

  /**
   * Values never repeated in a message: the config file may be shown, the terminal may be shared.
   */
  private static final Set<String> SECRET_KEYS = Set.of("password", "secret");

  static final String DEFAULT_HEADER = "X-Cdr-Secret";
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Headers java.net.http sets itself and refuses from callers, plus the one we set. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "content-type");

  private static final Pattern SNS_ARN =
      Pattern.compile(
          "arn:aws(-[a-z]+)*:sns:([a-z0-9]+(?:-[a-z0-9]+)*):\\d{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?");
  private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final Map<String, Object> raw;
  private final String path;

  private SubscriptionParser(Map<String, Object> raw, String path) {
    this.raw = raw;
    this.path = path;
  }

  /**
   * Parses one list entry of {@code notifications:} (a YAML map already read into Java maps, lists,
   * strings, numbers and booleans); {@code keyPath} such as "notifications[0]" names the entry in
   * messages. Every mistake is a one-line {@link ConfigException} that names the key.
   */
  public static Subscription parse(Map<String, Object> raw, String keyPath) {
    if (raw == null) {
      throw new ConfigException(
          "bad value for '" + keyPath + "': expected keys such as 'type: email', got nothing");
    }
    return new SubscriptionParser(raw, keyPath).parse();
  }

  private Subscription parse() {
    String type =
        string("type")
            .orElseThrow(
                () -> new ConfigException("missing '" + key("type") + "' (" + TYPES + ")"));
    Set<String> known = KEYS.get(type.trim());
    if (known == null) {
      throw new ConfigException(
          "bad value for '" + key("type") + "': '" + type + "' (" + TYPES + ")");
    }
    for (String k : raw.keySet()) {
      if (!known.contains(k)) {
        throw new ConfigException(
            "unknown key '"
                + key(k)
                + "' (known keys: "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
    switch (type.trim()) {
      case "email":
        return email();
      case "webhook":
        return webhook();
      case "sns":
        return sns();
      default:
        return new Subscription.Log();
    }
  }

  private Subscription.Email email() {
    String host = required("host").trim();
    Optional<Integer> port = port("port");
    Optional<Tls> tls = string("tls").map(this::tls);
    Tls t =
        tls.orElseGet(
            () ->
                port.map(p -> p == 587 ? Tls.STARTTLS : p == 465 ? Tls.SSL : Tls.NONE)
                    .orElse(Tls.NONE));
    int p = port.orElseGet(() -> t == Tls.STARTTLS ? 587 : t == Tls.SSL ? 465 : 25);
    Optional<String> user = string("user");
    Optional<String> password = string("password");
    if (password.isPresent() && user.isEmpty()) {
      throw new ConfigException(
          "missing '" + key("user") + "' ('password' is only used with 'user')");
    }
    if (user.isPresent() && password.isEmpty()) {
      throw new ConfigException("missing '" + key("password") + "' (needed with 'user')");
    }
    String from = address(key("from"), required("from"));
    return new Subscription.Email(host, p, t, user, password, from, recipients());
  }

  private List<String> recipients() {
    Object value = raw.get("to");
    if (value == null) {
      throw new ConfigException("missing '" + key("to") + "' (an address or a list of addresses)");
    }
    if (value instanceof String s) {
      return List.of(address(key("to"), nonBlank("to", s)));
    }
    if (!(value instanceof List<?> list)) {
      throw new ConfigException(
          "bad value for '"
              + key("to")
              + "': expected an address or a list of addresses, got "
              + show("to", value));
    }
    if (list.isEmpty()) {
      throw new ConfigException(
          "bad value for '" + key("to") + "': the list is empty (name at least one address)");
    }
    List<String> to = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String k = key("to") + "[" + i + "]";
      if (!(list.get(i) instanceof String s) || s.isBlank()) {
        throw new ConfigException(
            "bad value for '" + k + "': expected an address, got " + show("to", list.get(i)));
      }
      to.add(address(k, s));
    }
    return to;
  }

  private Subscription.Webhook webhook() {
    URI url = url("url", required("url"));
    Optional<String> secret = string("secret");
    if (secret.isPresent() && secret.get().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ConfigException(
          "bad value for '"
              + key("secret")
              + "': must not contain line breaks or control characters");
    }
    String header = string("header").map(String::trim).orElse(DEFAULT_HEADER);
    if (!HEADER_NAME.matcher(header).matches()) {
      throw new ConfigException(
          "bad value for '"
              + key("header")
              + "': '"
              + header
              + "' is not an HTTP header name (e.g. "
              + DEFAULT_HEADER
              + ")");
    }
    if (RESERVED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
      throw new ConfigException(
          "bad value for '"
              + key("header")
              + "': '"
              + header
              + "' is set by the HTTP client (use another, e.g. "
              + DEFAULT_HEADER
              + ")");
    }
    return new Subscription.Webhook(url, secret, header);
  }

  private Subscription.Sns sns() {
    String arn = required("topicArn").trim();
    Matcher m = SNS_ARN.matcher(arn);
    if (!m.matches()) {
      throw new ConfigException(
          "bad value for '"
              + key("topicArn")
              + "': '"
              + arn
              + "' (expected arn:aws:sns:REGION:ACCOUNT:NAME, e.g. arn:aws:sns:us-east-1:123456789012:cdr-reports)");
    }
    String region = string("region").map(String::trim).orElse(m.group(2));
    if (!REGION.matcher(region).matches()) {
      throw new ConfigException(
          "bad value for '"
              + key("region")
              + "': '"
              + region
              + "' (expected a region such as us-east-1)");
    }
    Optional<URI> endpoint = string("endpoint").map(e -> url("endpoint", e));
    return new Subscription.Sns(arn, region, endpoint);
  }

  // ------------------------------------------------------------------ values

  private String key(String k) {
    return path + "." + k;
  }

  /** A string value, or empty when the key is absent or null; any other type is a mistake. */
  private Optional<String> string(String k) {
    Object v = raw.get(k);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof String s)) {
      String hint = v instanceof Number || v instanceof Boolean ? " (put it in quotes)" : "";
      throw new ConfigException(
          "bad value for '" + key(k) + "': expected text, got " + show(k, v) + hint);
    }
    return Optional.of(nonBlank(k, s));
  }

  private String required(String k) {
    return string(k).orElseThrow(() -> new ConfigException("missing '" + key(k) + "'"));
  }

  private String nonBlank(String k, String s) {
    if (s.isBlank()) {
      throw new ConfigException("bad value for '" + key(k) + "': must not be empty");
    }
    return s;
  }

  private Optional<Integer> port(String k) {
    Object v = raw.get(k);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short)) {
      throw new ConfigException(
          "bad value for '" + key(k) + "': expected a port number 1 to 65535, got " + show(k, v));
    }
    long p = ((Number) v).longValue();
    if (p < 1 || p > 65535) {
      throw new ConfigException(
          "bad value for '" + key(k) + "': " + p + " (expected a port number 1 to 65535)");
    }
    return Optional.of((int) p);
  }

  private Tls tls(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "none":
        return Tls.NONE;
      case "starttls":
        return Tls.STARTTLS;
      case "ssl":
        return Tls.SSL;
      default:
        throw new ConfigException(
            "bad value for '" + key("tls") + "': '" + s + "' (one of none, starttls, ssl)");
    }
  }

  private static String address(String fullKey, String s) {
    String a = s.trim();
    try {
      new InternetAddress(a, true).validate();
      return a;
    } catch (AddressException e) {
      String hint = a.contains(",") ? "; write several addresses as a list" : "";
      throw new ConfigException(
          "bad value for '"
              + fullKey
              + "': '"
              + a
              + "' is not an email address ("
              + e.getMessage()
              + hint
              + ")");
    }
  }

  private URI url(String k, String s) {
    String text = s.trim();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException(
          "bad value for '" + key(k) + "': '" + text + "' is not a URL (" + e.getMessage() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new ConfigException(
          "bad value for '"
              + key(k)
              + "': '"
              + text
              + "' (expected an http or https URL, e.g. https://example.com/hook)");
    }
    if (uri.getRawUserInfo() != null) {
      // java.net.http ignores user info; a login here would silently not be sent
      throw new ConfigException(
          "bad value for '"
              + key(k)
              + "': a user name or password in the URL is not sent"
              + " (use 'secret' and 'header', e.g. header: Authorization)");
    }
    return uri;
  }

  /** A value as a message shows it; a secret key's value is only described by its type. */
  private static String show(String k, Object v) {
    boolean secret = SECRET_KEYS.contains(k);
    if (v == null) {
      return "nothing";
    } else if (v instanceof String s) {
      return secret ? "text" : "'" + s + "'";
    } else if (v instanceof Boolean b) {
      return secret ? "true or false" : b.toString();
    } else if (v instanceof Number n) {
      return secret ? "a number" : "the number " + n;
    } else if (v instanceof List<?>) {
      return "a list";
    } else if (v instanceof Map<?, ?>) {
      return "a map";
    }
    return "a " + v.getClass().getSimpleName();
  }
}
