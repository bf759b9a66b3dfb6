package io.cdrpipeline.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Where the product's HTTP server listens, the base of the links it signs, and the token its
 * console and API require (always when set; required to listen on anything but loopback).
 */
public record ServerSettings(String host, int port, String baseUrl, Optional<String> token) {
  public ServerSettings {
    Objects.requireNonNull(host, "host is null");
    Objects.requireNonNull(baseUrl, "baseUrl is null");
    Objects.requireNonNull(token, "token is null");
  }

  /** Settings without a token. */
  public ServerSettings(String host, int port, String baseUrl) {
    this(host, port, baseUrl, Optional.empty());
  }

  /**
   * A token as {@code server.token} takes it, stripped: sent in an HTTP header and a cookie, so
   * printable ASCII without spaces, and long enough not to be guessed. The one check of the config
   * loader and {@code cdr configure}; an IllegalArgumentException says what is wrong without
   * repeating the token.
   */
  public static String checkToken(String value) {
    String t = value == null ? "" : value.strip();
    if (!t.matches("[\\x21-\\x7E]{16,512}")) {
      throw new IllegalArgumentException(
          "a token is 16 to 512 printable characters without spaces"
              + (t.matches("[\\x21-\\x7E]{1,15}")
                  ? " (this one has " + t.length() + ", too short to keep anyone out)"
                  : "")
              + ", e.g. the output of 'openssl rand -hex 32'");
    }
    return t;
  }

  public static ServerSettings defaults() {
    return new ServerSettings("127.0.0.1", 8080, "http://localhost:8080");
  }

  @Override
  public String toString() {
    // the token is a password: never in a log line or an exception
    return "ServerSettings[host="
        + host
        + ", port="
        + port
        + ", baseUrl="
        + baseUrl
        + ", token="
        + (token.isPresent() ? "(set)" : "(none)")
        + "]";
  }
}
