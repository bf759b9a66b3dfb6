package io.cdrpipeline.app;

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

/** The product's HTTP server for signed report links (the console and API come later). */
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
  private final Javalin app;
  private boolean started;

  public ReportServer(ObjectStore reports, LinkSigner signer, Clock clock) {
    this.reports = Objects.requireNonNull(reports, "reports");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.startupWatcherEnabled = false;
    });
    app.get("/health", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok"));
    app.get("/reports/{month}/{file}", this::download);
    // a HEAD is checked exactly like a GET (without it, Javalin answers HEAD itself, 200 and unsigned)
    app.head("/reports/{month}/{file}", this::download);
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
      text(ctx, 500, "internal error");
    });
  }

  /**
   * Listens on a host and port (0 = any free port); returns this server, started. A host that
   * is not an address of this machine, or a port that cannot be bound, is an IOException with
   * the real cause in one line.
   */
  public ReportServer start(String host, int port) throws IOException {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
    }
    if (started) {
      throw new IllegalStateException("report server already started on port " + port());
    }
    InetAddress address = localAddress(host);
    if (port != 0) {
      // bound once first, as Jetty binds, so a port in use is told here and Javalin never logs its own failure
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new InetSocketAddress(address, port));
      } catch (BindException e) {
        throw new IOException("cannot listen on " + hostPort(host, port) + ": " + e.getMessage()
            + " (choose another with --port, or server.port in the config)", e);
      }
    }
    try {
      app.start(host, port);
    } catch (RuntimeException e) {
      app.stop(); // the threads Jetty started before the bind failed
      // Javalin calls every bind failure "Port already in use"; the socket's own exception says why
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException bind) {
          throw new IOException("cannot listen on " + hostPort(host, port) + ": " + bind.getMessage()
              + " (choose another with --port, or server.port in the config)", e);
        }
      }
      throw e;
    }
    started = true;
    return this;
  }

  /** The address of the host, if it is one this machine has (or the any-address). */
  private static InetAddress localAddress(String host) throws IOException {
    if (host.isBlank()) {
      throw new IOException("cannot listen on '" + host + "': no host given (e.g. 127.0.0.1, or 0.0.0.0 for every address)");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IOException("cannot listen on " + host + ": unknown host", e);
    }
    if (!address.isAnyLocalAddress() && !address.isLoopbackAddress() && NetworkInterface.getByInetAddress(address) == null) {
      throw new IOException("cannot listen on " + host + ": " + address.getHostAddress()
          + " is not an address of this machine (e.g. 127.0.0.1, or 0.0.0.0 for every address)");
    }
    return address;
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
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
    if (!SEGMENT.matcher(month).matches() || !SEGMENT.matcher(file).matches() || !ctx.path().equals("/" + key)) {
      text(ctx, 404, "not found");
      return;
    }
    switch (signer.verify(ctx.path(), ctx.queryParam("expires"), ctx.queryParam("signature"), clock.instant())) {
      case EXPIRED -> text(ctx, 410, "link expired");
      case BAD_SIGNATURE -> text(ctx, 403, "invalid signature");
      case VALID -> {
        Optional<StoredObject> object = reports.readObject(key);
        if (object.isEmpty()) {
          text(ctx, 404, "not found");
          return;
        }
        ctx.status(200)
            .contentType(file.endsWith(".csv") ? "text/csv; charset=utf-8" : "application/octet-stream")
            .header("Content-Disposition", "attachment; filename=\"" + month + "-" + file + "\"")
            .header("Cache-Control", "private, no-store")
            .header("X-Content-Type-Options", "nosniff")
            .result(object.get().content());
      }
    }
  }

  private static void text(Context ctx, int status, String line) {
    ctx.status(status).contentType("text/plain; charset=utf-8").result(line);
  }

  @Override
  public void close() {
    app.stop();
  }
}
