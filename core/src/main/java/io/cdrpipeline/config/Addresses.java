package io.cdrpipeline.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The one check of a host and of an http(s) URL as the config takes them ({@code server.host},
 * {@code server.baseUrl}, {@code s3.endpoint}, URLs of table properties): the config loader and
 * {@code cdr configure} both call it, so an answer configure accepts is a value the loader loads.
 * Each check returns the value as it is written to the file, or throws an IllegalArgumentException
 * whose message says what is wrong, for the caller to prefix with the key or the option. Nothing
 * here asks DNS: a name is checked by its spelling.
 */
public final class Addresses {
  private static final String EXAMPLES = "e.g. 127.0.0.1, or 0.0.0.0 for every address";

  /** A label of a host name (RFC 1123): letters, digits and inner hyphens. */
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  /**
   * What an IPv6 literal may be made of, an optional zone after '%'; its first character keeps
   * InetAddress from DNS.
   */
  private static final Pattern IPV6 =
      Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*(?:%[A-Za-z0-9_.-]+)?");

  private static final Pattern URL = Pattern.compile("https?://[^/\\s?#]+(/[^\\s?#]*)?");
  private static final Pattern ENDPOINT = Pattern.compile("https?://[^/\\s?#]+/?");

  private Addresses() {}

  /**
   * A host name (letters, digits, '-' and '.'), an IPv4 address or an IPv6 address, stripped;
   * {@code 25:00} and {@code not_a_host} are refused.
   */
  public static String host(String value) {
    String h = value == null ? "" : value.strip();
    if (h.isEmpty()) {
      throw new IllegalArgumentException("no host given (" + EXAMPLES + ")");
    }
    String why = problem(h);
    if (why != null) {
      throw new IllegalArgumentException(
          "'" + h + "' is not a host name or address: " + why + " (" + EXAMPLES + ")");
    }
    return h;
  }

  /** What is wrong with a host, or null. */
  private static String problem(String h) {
    if (h.indexOf(':') >= 0) {
      if (!IPV6.matcher(h).matches()) {
        return "an IPv6 address has only hexadecimal digits, ':' and '.'";
      }
      try {
        InetAddress.getByName(
            h); // an IPv6 literal (it has a ':' and starts with a hex digit or ':'): never a DNS
        // query
        return null;
      } catch (UnknownHostException | SecurityException e) {
        return "it is not an IPv6 address";
      }
    }
    if (h.matches("[0-9.]+")) {
      String[] parts = h.split("\\.", -1);
      if (parts.length != 4) {
        return "an IPv4 address has four numbers";
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
          return "an IPv4 address has four numbers from 0 to 255";
        }
      }
      return null;
    }
    String name = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    if (name.length() > 253) {
      return "a host name has at most 253 characters";
    }
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return label.isEmpty()
            ? "a host name has no empty part between dots"
            : "a host name has only letters, digits, '-' (not first or last) and '.'";
      }
    }
    return null;
  }

  /**
   * An http(s) URL with a host and an optional path, without query or fragment, its trailing
   * slashes removed: where people reach the server ({@code server.baseUrl}).
   */
  public static String baseUrl(String value) {
    String u = value == null ? "" : value.strip().replaceAll("/+$", "");
    if (!URL.matcher(u).matches()) {
      throw new IllegalArgumentException(
          "'" + u + "' is not http(s)://host[:port][/path] (without ? or #)");
    }
    uri(u);
    return u;
  }

  /**
   * An http(s) URL with a host and a port, nothing after it but a slash: an endpoint ({@code
   * s3.endpoint}).
   */
  public static URI endpoint(String value) {
    String u = value == null ? "" : value.strip();
    if (!ENDPOINT.matcher(u).matches()) {
      throw new IllegalArgumentException("'" + u + "' is not http(s)://host[:port]");
    }
    return uri(u);
  }

  /** An http(s) URL with a host and any path (the URLs of table properties). */
  public static URI httpUrl(String value) {
    String u = value == null ? "" : value.strip();
    if (!u.matches("https?://[^/\\s?#]+(/\\S*)?")) {
      throw new IllegalArgumentException("'" + u + "' is not http(s)://host[:port][/path]");
    }
    return uri(u);
  }

  /** The URL parsed, its host checked as {@link #host} checks one, its port at most 65535. */
  private static URI uri(String u) {
    URI uri;
    try {
      uri = URI.create(u);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + u + "' is not a URL with a host");
    }
    String host = uri.getHost();
    if (host == null) {
      throw new IllegalArgumentException("'" + u + "' is not a URL with a host");
    }
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    String why = problem(bare);
    if (why != null) {
      throw new IllegalArgumentException("'" + u + "' is not a URL with a host: " + why);
    }
    if (uri.getPort() > 65535) {
      throw new IllegalArgumentException("'" + u + "' has a port above 65535");
    }
    return uri;
  }

  /** A host as a URL or a host:port pair writes it: an IPv6 address in brackets. */
  public static String inUrl(String host) {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }
}
