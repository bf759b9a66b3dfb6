package io.cdrpipeline.app;

import io.javalin.http.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may use the console and the API. With {@code server.token} set, every request but
 * {@code /health}, the login form and the signed report links needs the token, as a bearer
 * header or as the HttpOnly cookie the login form sets; without it the server listens on
 * loopback only, and a request must name a loopback host (so a web page that rebinds its own
 * domain to 127.0.0.1 cannot reach it).
 */
final class ConsoleAccess {
  static final String COOKIE = "cdr_session";

  private final Optional<String> token;
  private final Optional<String> session;
  private final Set<String> hosts;

  /** {@code baseUrl} is the address links point at: its host is one a browser may name too. */
  ConsoleAccess(Optional<String> token, String baseUrl) {
    this.token = Objects.requireNonNull(token, "token is null");
    this.session = token.map(ConsoleAccess::sessionOf);
    String base = URI.create(Objects.requireNonNull(baseUrl, "baseUrl is null")).getHost();
    java.util.Set<String> names = new java.util.HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
    if (base != null) {
      names.add(base.toLowerCase(Locale.ROOT));
    }
    this.hosts = Set.copyOf(names);
  }

  /** No token at all: for the server of report links only, which serves nothing but signed links. */
  static ConsoleAccess none() {
    return new ConsoleAccess(Optional.empty(), "http://localhost");
  }

  boolean hasToken() {
    return token.isPresent();
  }

  /** Refuses to listen off loopback without a token: everyone who reaches the address could run SQL and workflows. */
  void checkListen(InetAddress address, String hostPort) throws IOException {
    if (!address.isLoopbackAddress() && token.isEmpty()) {
      throw new IOException("cannot listen on " + hostPort + " without server.token: off loopback the console and "
          + "the API need a token (set server.token in the config, e.g. to the output of 'openssl rand -hex 32')");
    }
  }

  /**
   * Paths anyone may request, as sent: the health check, the login form, and report links
   * (checked by their signature), whose two segments have no dot segment, escape or separator;
   * any other spelling of a path needs the token.
   */
  static boolean open(String path) {
    return path.equals("/health") || path.equals("/login") || REPORT_LINK.matcher(path).matches();
  }

  private static final java.util.regex.Pattern REPORT_LINK =
      java.util.regex.Pattern.compile("/reports/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  /** What a request may do. */
  enum Verdict { ALLOWED, UNAUTHORIZED, FORBIDDEN_HOST, FORBIDDEN_ORIGIN }

  Verdict check(Context ctx) {
    if (open(ctx.path())) {
      return Verdict.ALLOWED;
    }
    if (token.isEmpty()) {
      return loopbackHost(ctx.header("Host")) ? Verdict.ALLOWED : Verdict.FORBIDDEN_HOST;
    }
    String auth = ctx.header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && same(auth.substring(7).trim(), token.get())) {
      return Verdict.ALLOWED;
    }
    String cookie = ctx.cookie(COOKIE);
    if (cookie != null && same(cookie, session.get())) {
      // a cookie is sent whatever page asks: a change must come from a page of this server
      String method = ctx.method().name();
      if (!method.equals("GET") && !method.equals("HEAD") && !sameOrigin(ctx)) {
        return Verdict.FORBIDDEN_ORIGIN;
      }
      return Verdict.ALLOWED;
    }
    return Verdict.UNAUTHORIZED;
  }

  /** True if the token typed into the login form is the token. */
  boolean accepts(String typed) {
    return token.isPresent() && typed != null && same(typed.trim(), token.get());
  }

  /** The Set-Cookie value that logs a browser in (HttpOnly, same site only; Secure over https). */
  String loginCookie(boolean secure) {
    return COOKIE + "=" + session.orElseThrow() + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }

  static String logoutCookie() {
    return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  }

  private boolean loopbackHost(String hostHeader) {
    if (hostHeader == null) {
      return false;
    }
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      h = end < 0 ? h : h.substring(0, end + 1);
    } else if (h.indexOf(':') >= 0) {
      h = h.substring(0, h.indexOf(':'));
    }
    return hosts.contains(h) || h.matches("127(\\.\\d{1,3}){3}");
  }

  private static boolean sameOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    String host = ctx.header("Host");
    if (origin == null) {
      // browsers send Origin on every cross-site POST; its absence means a same-site request or not a browser
      String site = ctx.header("Sec-Fetch-Site");
      return site == null || site.equals("same-origin") || site.equals("none");
    }
    try {
      URI o = URI.create(origin);
      String hostPort = o.getHost() + (o.getPort() < 0 ? "" : ":" + o.getPort());
      return host != null && hostPort.equalsIgnoreCase(host.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Compares in constant time, so the answer's timing does not tell how much of a guess was right. */
  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** The cookie is derived from the token, not the token itself: it opens the console, never a bearer header. */
  private static String sessionOf(String token) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal("cdr console session".getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this Java", e);
    }
  }
}
