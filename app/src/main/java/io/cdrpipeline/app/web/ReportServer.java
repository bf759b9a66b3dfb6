package io.cdrpipeline.app.web;

import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.StoredObject;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product's HTTP server: signed report links and {@code /health} for anyone; with {@link
 * ApiRoutes}, also the JSON API under {@code /api/}, {@code /metrics} and the web console at {@code
 * /} (from the jar, libraries as WebJars), behind {@link ConsoleAccess}.
 */
public final class ReportServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportServer.class);

  /**
   * A path segment a report may have: no leading dot (so no "." or "..", and never the store's
   * hidden temporary files), no separators, no escapes.
   */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  private final ObjectStore reports;
  private final LinkSigner signer;
  private final Clock clock;
  private final ConsoleAccess access;
  private FailedLogins failedLogins = new FailedLogins();
  private final Javalin app;
  private final ApiRoutes api;
  private boolean started;

  /** A server of report links only. */
  public ReportServer(ObjectStore reports, LinkSigner signer, Clock clock) {
    this(reports, signer, clock, ConsoleAccess.none(), null);
  }

  /** A server of report links and, when {@code api} is given, of the API, metrics and console. */
  ReportServer(
      ObjectStore reports, LinkSigner signer, Clock clock, ConsoleAccess access, ApiRoutes api) {
    this.reports = Objects.requireNonNull(reports, "reports");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.access = Objects.requireNonNull(access, "access");
    this.api = api;
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              if (api != null) {
                config.staticFiles.add(
                    files -> {
                      files.hostedPath = "/";
                      files.directory = "/console";
                      files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                    });
                config.staticFiles.enableWebjars();
              }
            });
    app.before(this::guard);
    app.get("/health", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok"));
    if (api != null) {
      app.get("/login", ctx -> login(ctx, 200, null));
      app.post("/login", this::logIn);
      app.post(
          "/logout",
          ctx -> {
            access.logOut(
                ctx.cookie(
                    ConsoleAccess
                        .COOKIE)); // on the server: a copy of the cookie opens nothing either
            ctx.header("Set-Cookie", ConsoleAccess.logoutCookie())
                .redirect("/login", io.javalin.http.HttpStatus.SEE_OTHER);
          });
      api.register(app);
    }
    app.get("/reports/{month}/{file}", this::download);
    // a HEAD is checked exactly like a GET (without it, Javalin answers HEAD itself, 200 and
    // unsigned)
    app.head("/reports/{month}/{file}", this::download);
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
          text(ctx, 500, "internal error");
        });
  }

  /**
   * Listens on a host and port (0 = any free port); returns this server, started. A host that is
   * not an address of this machine, or a port that cannot be bound, is an IOException with the real
   * cause in one line.
   */
  /** Another limit of wrong tokens per address (before the start). */
  public ReportServer failedLogins(FailedLogins limit) {
    this.failedLogins = Objects.requireNonNull(limit, "limit is null");
    return this;
  }

  public ReportServer start(String host, int port) throws IOException {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
    }
    if (started) {
      throw new IllegalStateException("report server already started on port " + port());
    }
    checkListen(host, port, access);
    try {
      app.start(host, port);
    } catch (RuntimeException e) {
      app.stop(); // the threads Jetty started before the bind failed
      // Javalin calls every bind failure "Port already in use"; the socket's own exception says why
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException bind) {
          throw new IOException(
              "cannot listen on "
                  + hostPort(host, port)
                  + ": "
                  + bind.getMessage()
                  + " (choose another with --port, or server.port in the config)",
              e);
        }
      }
      throw e;
    }
    started = true;
    return this;
  }

  /**
   * Refuses, before anything is started or made, what {@link #start} would refuse: a host that is
   * not an address of this machine, an address off loopback without a token, a port that cannot be
   * bound (bound once and released). An IOException with the cause in one line.
   */
  static void checkListen(String host, int port, ConsoleAccess access) throws IOException {
    InetAddress address = localAddress(host);
    access.checkListen(address, hostPort(host, port));
    if (port != 0) {
      // bound once first, as Jetty binds, so a port in use is told here and Javalin never logs its
      // own failure
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new InetSocketAddress(address, port));
      } catch (BindException e) {
        throw new IOException(
            "cannot listen on "
                + hostPort(host, port)
                + ": "
                + e.getMessage()
                + " (choose another with --port, or server.port in the config)",
            e);
      }
    }
  }

  /** The address of the host, if it is one this machine has (or the any-address). */
  public static InetAddress localAddress(String host) throws IOException {
    if (host.isBlank()) {
      throw new IOException(
          "cannot listen on '"
              + host
              + "': no host given (e.g. 127.0.0.1, or 0.0.0.0 for every address)");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IOException("cannot listen on " + host + ": unknown host", e);
    }
    if (!address.isAnyLocalAddress()
        && !address.isLoopbackAddress()
        && NetworkInterface.getByInetAddress(address) == null) {
      throw new IOException(
          "cannot listen on "
              + host
              + ": "
              + address.getHostAddress()
              + " is not an address of this machine (e.g. 127.0.0.1, or 0.0.0.0 for every address)");
    }
    return address;
  }

  private static String hostPort(String host, int port) {
    return io.cdrpipeline.config.Addresses.inUrl(host) + ":" + port;
  }

  /** The port the server listens on. */
  public int port() {
    return app.port();
  }

  private void download(Context ctx) throws IOException {
    String month = ctx.pathParam("month");
    String file = ctx.pathParam("file");
    String key = MonthlyReport.PREFIX + month + "/" + file;
    // The path served must be the path signed, character for character: no decoded escapes,
    // dot segments or doubled slashes can turn a signed link into another object.
    if (!SEGMENT.matcher(month).matches()
        || !SEGMENT.matcher(file).matches()
        || !ctx.path().equals("/" + key)) {
      text(ctx, 404, "not found");
      return;
    }
    switch (signer.verify(
        ctx.path(), ctx.queryParam("expires"), ctx.queryParam("signature"), clock.instant())) {
      case EXPIRED -> text(ctx, 410, "link expired");
      case BAD_SIGNATURE -> text(ctx, 403, "invalid signature");
      case TOO_LONG -> text(ctx, 403, "link lasts longer than linkExpiry allows");
      case VALID -> {
        Optional<StoredObject> object = reports.readObject(key);
        if (object.isEmpty()) {
          text(ctx, 404, "not found");
          return;
        }
        ctx.status(200)
            .contentType(
                file.endsWith(".csv") ? "text/csv; charset=utf-8" : "application/octet-stream")
            .header("Content-Disposition", "attachment; filename=\"" + month + "-" + file + "\"")
            .header("Cache-Control", "private, no-store")
            .header("X-Content-Type-Options", "nosniff")
            .result(object.get().content());
      }
    }
  }

  /** Answers 429 if the client's address gave too many wrong tokens lately; true if it did. */
  private boolean tooManyFailures(Context ctx) {
    if (!failedLogins.blocked(ctx.ip())) {
      return false;
    }
    ctx.header("Retry-After", String.valueOf(failedLogins.retryAfterSeconds()));
    ApiRoutes.error(
        ctx, 429, "too many wrong tokens from this address; try again in a few minutes");
    ctx.skipRemainingHandlers();
    return true;
  }

  /**
   * Lets a request through, or answers it: 401 (with the login form for a browser), 403 for a
   * foreign host or page.
   */
  private void guard(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "frame-ancestors 'none'; form-action 'self'");
    ConsoleAccess.Verdict verdict = access.check(ctx);
    // the health check and signed links stay open; everything that takes a token is closed
    if ((!ConsoleAccess.open(ctx.path()) || ctx.path().equals("/login")) && tooManyFailures(ctx)) {
      return;
    }
    if (verdict == ConsoleAccess.Verdict.UNAUTHORIZED && ctx.header("Authorization") != null) {
      failedLogins.failed(ctx.ip()); // a wrong token, not a first visit (nor a stale cookie)
    }
    switch (verdict) {
      case ALLOWED -> {
        return;
      }
      case UNAUTHORIZED -> {
        ctx.header("WWW-Authenticate", "Bearer realm=\"cdr\"");
        String accept = ctx.header("Accept");
        if (ctx.method().name().equals("GET") && accept != null && accept.contains("text/html")) {
          login(ctx, 401, null);
        } else {
          ApiRoutes.error(
              ctx,
              401,
              "a token is needed: send 'Authorization: Bearer <server.token>', or log in at /login");
        }
      }
      case FORBIDDEN_HOST ->
          ApiRoutes.error(
              ctx, 403, "this server answers only to a loopback host name (localhost, 127.0.0.1)");
      case FORBIDDEN_ORIGIN ->
          ApiRoutes.error(
              ctx,
              403,
              "a change must come from a page of this server "
                  + "(this request's Origin or Sec-Fetch-Site names another site)");
    }
    ctx.skipRemainingHandlers();
  }

  private void logIn(Context ctx) {
    if (!access.hasToken()) {
      ctx.redirect(
          "/",
          io.javalin.http.HttpStatus.SEE_OTHER); // nothing to log in to on loopback without a token
      return;
    }
    if (!access.accepts(ctx.formParam("token"))) {
      failedLogins.failed(ctx.ip());
      login(ctx, 401, "That is not the token.");
      return;
    }
    boolean secure =
        ctx.scheme().equals("https") || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    ctx.header("Set-Cookie", access.loginCookie(secure))
        .redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
  }

  /** The login form: no script and no file of the console, since those need the token. */
  private static void login(Context ctx, int status, String problem) {
    ctx.status(status)
        .contentType("text/html; charset=utf-8")
        .result(
            "<!doctype html><html lang=\"en\"><head>"
                + "<meta charset=\"utf-8\"><title>CDR Pipeline: log in</title><style>body{font-family:sans-serif;max-width:26em;"
                + "margin:4em auto}input{font-size:1em;padding:.3em;width:100%;box-sizing:border-box;margin:.5em 0}"
                + ".problem{color:#b00020}</style></head><body><h1>CDR Pipeline</h1>"
                + (problem == null ? "" : "<p class=\"problem\" id=\"problem\">" + problem + "</p>")
                + "<form method=\"post\" action=\"/login\"><label for=\"token\">Token (<code>server.token</code> of the config)"
                + "</label><input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"current-password\" autofocus>"
                + "<input type=\"submit\" id=\"login\" value=\"Log in\"></form></body></html>");
  }

  private static void text(Context ctx, int status, String line) {
    ctx.status(status).contentType("text/plain; charset=utf-8").result(line);
  }

  @Override
  public void close() {
    if (api != null) {
      api.close(); // the running queries end now, so no request holds the stop
    }
    app.stop();
  }
}
