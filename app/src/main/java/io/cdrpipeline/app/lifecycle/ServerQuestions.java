package io.cdrpipeline.app.lifecycle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.app.web.ReportServer;
import io.cdrpipeline.config.Addresses;
import io.cdrpipeline.config.ServerSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * The server's questions of {@code cdr configure}: the listen address, port, base URL and token,
 * checked by {@link Addresses} as the config loader checks them.
 */
public final class ServerQuestions {
  private final ConfigQuestions questions;
  private final boolean noCheck;

  ServerQuestions(ConfigQuestions questions, boolean noCheck) {
    this.questions = Objects.requireNonNull(questions, "questions is null");
    this.noCheck = noCheck;
  }

  /**
   * Fills the server block from the options given (null for none) or the answers; returns a token
   * made here (to be shown once), or null.
   */
  String ask(
      ObjectNode server, String host, String port, String baseUrl, String token, boolean noToken) {
    String h =
        questions.answer(
            "--host",
            host,
            "12. The address the server listens on (127.0.0.1: this machine only; 0.0.0.0: every address)",
            questions.text("server.host", "127.0.0.1"),
            this::listenAddress,
            false,
            null);
    server.put("host", h);
    int p =
        Integer.parseInt(
            questions.answer(
                "--port",
                port,
                "13. The server's port",
                questions.text("server.port", "8080"),
                a -> Integer.toString(Prompts.whole(a, 1, 65535)),
                false,
                null));
    server.put("port", p);
    boolean loopback = isLoopback(h);
    String oldUrl = questions.text("server.baseUrl", null);
    if (!loopback || baseUrl != null || oldUrl != null) {
      String dflt =
          oldUrl != null ? oldUrl : "http://" + (loopback ? "localhost" : hostName(h)) + ":" + p;
      server.put(
          "baseUrl",
          questions.answer(
              "--base-url",
              baseUrl,
              "    The address people reach it at, for the links it signs",
              dflt,
              Addresses::baseUrl,
              false,
              null));
    }
    String oldToken = questions.text("server.token", null);
    if (noToken) {
      if (!loopback) {
        throw new UserException(
            "--no-token: the server listens on " + h + ", which is not loopback: it needs a token");
      }
      server.remove("token");
      return null;
    }
    String made = null;
    String dflt = oldToken;
    if (dflt == null && !loopback) {
      made = newToken();
      dflt = made;
    }
    String question =
        "14. The token callers must send (Enter for "
            + (oldToken != null
                ? "the existing one"
                : loopback ? "none: the server is for this machine only" : "a new random one")
            + ")";
    String t =
        questions.answer(
            "--token",
            token,
            question,
            dflt == null ? "" : dflt,
            a -> {
              if (a.isEmpty()) {
                if (!loopback) {
                  throw new IllegalArgumentException("a token is needed off loopback");
                }
                return a;
              }
              return ServerSettings.checkToken(a);
            },
            true,
            null);
    if (t.isEmpty()) {
      server.remove("token");
    } else {
      server.put("token", t);
    }
    return t.equals(made) ? made : null;
  }

  /**
   * A listen address as the loader takes it and as {@code cdr serve} listens on it: an address of
   * this machine (unless --no-check), so that configure never writes a host the service refuses.
   */
  private String listenAddress(String answer) {
    String h = Addresses.host(answer);
    if (!noCheck) {
      try {
        ReportServer.localAddress(h);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            e.getMessage().replaceFirst("^cannot listen on [^:]+: ", "")
                + "; 'cdr serve' listens only on those");
      }
    }
    return h;
  }

  /**
   * True if the service on {@code host} is for this machine only (no token needed), as the service
   * decides it.
   */
  public static boolean isLoopback(String host) {
    try {
      return ReportServer.localAddress(host).isLoopbackAddress();
    } catch (IOException e) {
      return false; // not this machine's (written with --no-check): off loopback, as far as
      // configure can tell
    }
  }

  private static String hostName(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::")) {
      return host.contains(":") ? "[" + host + "]" : host;
    }
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
