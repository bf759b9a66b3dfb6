package io.cdrpipeline.app;

import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.StoredObject;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
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
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
      text(ctx, 500, "internal error");
    });
  }

  /** Listens on a host and port (0 = any free port); returns this server, started. */
  public ReportServer start(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
    }
    if (started) {
      throw new IllegalStateException("report server already started on port " + port());
    }
    app.start(host, port);
    started = true;
    return this;
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
