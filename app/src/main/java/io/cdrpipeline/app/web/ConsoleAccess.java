package io.cdrpipeline.app.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may use the console and the API. With {@code server.token} set, every request but {@code
 * /health}, the login form and the signed report links needs the token, as a bearer header or as
 * the HttpOnly cookie of a session the login form opened (until logout); without it the server
 * listens on loopback only, and a request must name a loopback host (so a web page that rebinds its
 * own domain to 127.0.0.1 cannot reach it). Either way, a request that changes something must come
 * from a page of this server, or from no page at all (curl, scripts).
 */
final class ConsoleAccess {
  static final String COOKIE = "cdr_session";

  /** How long a console session lasts without being used. */
  static final Duration SESSION_IDLE = Duration.ofHours(12);

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Optional<String> token;

  /** The open sessions of the login form: random, known only to this server, ended by logout. */
  private final Cache<String, Boolean> sessions =
      Caffeine.newBuilder().expireAfterAccess(SESSION_IDLE).maximumSize(10_000).build();

  private final Set<String> hosts;

  /** The console's own origin as links name it (behind a proxy, the Host header may be another). */
  private final String baseOrigin;

  /** {@code baseUrl} is the address links point at: its host is one a browser may name too. */
  ConsoleAccess(Optional<String> token, String baseUrl) {
    this.token = Objects.requireNonNull(token, "token is null");
    URI baseUri = URI.create(Objects.requireNonNull(baseUrl, "baseUrl is null"));
    this.baseOrigin = origin(baseUri.getScheme(), baseUri.getHost(), baseUri.getPort());
    String base = baseUri.getHost();
    Set<String> names = new HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
    if (base != null) {
      names.add(base.toLowerCase(Locale.ROOT));
    }
    this.hosts = Set.copyOf(names);
  }

  /**
   * No token at all: for the server of report links only, which serves nothing but signed links.
   */
  static ConsoleAccess none() {
    return new ConsoleAccess(Optional.empty(), "http://localhost");
  }

  boolean hasToken() {
    return token.isPresent();
  }

  /**
   * Refuses to listen off loopback without a token: everyone who reaches the address could run SQL
   * and workflows.
   */
  void checkListen(InetAddress address, String hostPort) throws IOException {
    if (!address.isLoopbackAddress() && token.isEmpty()) {
      throw new IOException(
          "cannot listen on "
              + hostPort
              + " without server.token: off loopback the console and "
              + "the API need a token (set server.token in the config, e.g. to the output of 'openssl rand -hex 32')");
    }
  }

  /**
   * Paths anyone may request, as sent: the health check, the login form, and report links (checked
   * by their signature), whose two segments have no dot segment, escape or separator; any other
   * spelling of a path needs the token.
   */
  static boolean open(String path) {
    return path.equals("/health") || path.equals("/login") || REPORT_LINK.matcher(path).matches();
  }

  private static final Pattern REPORT_LINK =
      Pattern.compile(
          "/reports/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  /** What a request may do. */
  enum Verdict {
    ALLOWED,
    UNAUTHORIZED,
    FORBIDDEN_HOST,
    FORBIDDEN_ORIGIN
  }

  Verdict check(Context ctx) {
    // a browser sends a cross-site POST (a form, fetch in no-cors mode) with whatever the user
    // holds: a change is taken only from this server's own pages, or from no page at all
    if (!SAFE_METHODS.contains(ctx.method().name()) && !sameOrigin(ctx)) {
      return Verdict.FORBIDDEN_ORIGIN;
    }
    if (open(ctx.path())) {
      return Verdict.ALLOWED;
    }
    if (token.isEmpty()) {
      return loopbackHost(ctx.header("Host")) ? Verdict.ALLOWED : Verdict.FORBIDDEN_HOST;
    }
    String auth = ctx.header("Authorization");
    if (auth != null
        && auth.regionMatches(true, 0, "Bearer ", 0, 7)
        && same(auth.substring(7).trim(), token.get())) {
      return Verdict.ALLOWED;
    }
    String cookie = ctx.cookie(COOKIE);
    if (cookie != null && sessions.getIfPresent(cookie) != null) {
      return Verdict.ALLOWED;
    }
    return Verdict.UNAUTHORIZED;
  }

  /** True if the token typed into the login form is the token. */
  boolean accepts(String typed) {
    return token.isPresent() && typed != null && same(typed.trim(), token.get());
  }

  /**
   * Opens a session and returns the Set-Cookie value that logs a browser in (HttpOnly, same site
   * only; Secure over https). The cookie is a random id, never derived from the token.
   */
  String loginCookie(boolean secure) {
    if (token.isEmpty()) {
      throw new IllegalStateException("no token: nothing to log in to");
    }
    byte[] id = new byte[32];
    RANDOM.nextBytes(id);
    String session = HexFormat.of().formatHex(id);
    sessions.put(session, Boolean.TRUE);
    return COOKIE
        + "="
        + session
        + "; Path=/; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  /**
   * Ends the session of this cookie on the server, so the cookie opens nothing afterwards (a copy
   * of it neither).
   */
  void logOut(String cookie) {
    if (cookie != null) {
      sessions.invalidate(cookie);
    }
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

  /**
   * True if the request comes from a page of this server, or from no page (no Origin header: curl,
   * scripts, the CLI). Browsers send Origin on every cross-origin request that is not a GET or
   * HEAD, and {@code Sec-Fetch-Site} on every request; either naming another origin refuses it.
   */
  private boolean sameOrigin(Context ctx) {
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return false;
    }
    String origin = ctx.header("Origin");
    if (origin == null) {
      return true;
    }
    URI o;
    try {
      o = URI.create(origin.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (o.getScheme() == null
        || o.getHost() == null
        || o.getRawPath() != null && !o.getRawPath().isEmpty()) {
      return false; // "null" (a sandboxed frame, a file) or not an origin at all
    }
    String own = origin(o.getScheme(), o.getHost(), o.getPort());
    if (own.equals(baseOrigin)) {
      return true;
    }
    String host = ctx.header("Host");
    String hostPort = o.getHost() + (o.getPort() < 0 ? "" : ":" + o.getPort());
    return host != null && hostPort.equalsIgnoreCase(host.trim());
  }

  /** scheme://host[:port], lower case, without the scheme's default port. */
  private static String origin(String scheme, String host, int port) {
    String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    boolean defaultPort =
        port < 0 || s.equals("http") && port == 80 || s.equals("https") && port == 443;
    return s
        + "://"
        + (host == null ? "" : host.toLowerCase(Locale.ROOT))
        + (defaultPort ? "" : ":" + port);
  }

  /**
   * Compares in constant time, so the answer's timing does not tell how much of a guess was right.
   */
  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
