package io.cdrpipeline.config;

import java.nio.file.Path;
import java.util.Optional;

/** Checks the {@code server:} block; each mistake is one {@link ConfigException} naming its key. */
final class ServerKeys {
  /** The settings of {@code raw}, over the defaults {@code d}. */
  static ServerSettings validate(ConfigFile.ServerFile raw, ServerSettings d, Path file) {
    if (raw == null) {
      return d;
    }
    String host;
    try {
      host = Addresses.host(raw.host == null ? d.host() : raw.host);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for 'server.host' in " + file + ": " + e.getMessage());
    }
    int port = raw.port == null ? d.port() : raw.port;
    if (port < 0 || port > 65535) {
      throw new ConfigException(
          "bad value for 'server.port' in " + file + ": " + port + " (expected 0 to 65535)");
    }
    if (port == 0 && raw.baseUrl == null) {
      // links are made by other processes too (cdr start report), which cannot know a port picked
      // at start
      throw new ConfigException(
          "bad value for 'server.port' in "
              + file
              + ": 0 (any free port) needs server.baseUrl, or the links would point at port 0");
    }
    boolean anyAddress =
        host.equals("0.0.0.0")
            || host.equals("::")
            || host.equals("127.0.0.1")
            || host.equals("::1");
    String baseUrl;
    try {
      baseUrl =
          Addresses.baseUrl(
              raw.baseUrl != null
                  ? raw.baseUrl
                  : "http://" + (anyAddress ? "localhost" : Addresses.inUrl(host)) + ":" + port);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "bad value for 'server.baseUrl' in " + file + ": " + e.getMessage());
    }
    return new ServerSettings(host, port, baseUrl, token(raw.token, file));
  }

  /**
   * {@code server.token}: sent in an HTTP header and a cookie, so printable ASCII without spaces,
   * and long enough not to be guessed.
   */
  private static Optional<String> token(String raw, Path file) {
    if (raw == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ServerSettings.checkToken(raw));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for 'server.token' in " + file + ": " + e.getMessage());
    }
  }

  private ServerKeys() {}
}
