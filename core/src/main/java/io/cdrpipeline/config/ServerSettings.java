package io.cdrpipeline.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Where the product's HTTP server listens, the base of the links it signs, and the token that
 * callers must present when it listens on an address other than loopback.
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
    // records print every field; the token must not reach a log
    return "ServerSettings[host=" + host + ", port=" + port + ", baseUrl=" + baseUrl + ", token="
        + token.map(t -> "***") + "]";
  }
}
