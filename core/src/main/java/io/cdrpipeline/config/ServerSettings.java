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

  public static ServerSettings defaults() {
    return new ServerSettings("127.0.0.1", 8080, "http://localhost:8080");
  }

  @Override
  public String toString() {
    // the token is a password: never in a log line or an exception
    return "ServerSettings[host=" + host + ", port=" + port + ", baseUrl=" + baseUrl
        + ", token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
  }
}
