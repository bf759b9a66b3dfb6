package io.cdrpipeline.app.web;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogException;
import io.cdrpipeline.config.Sizes;
import io.cdrpipeline.query.QueryException;
import io.cdrpipeline.query.ResultTooLargeException;
import io.cdrpipeline.report.ReportLinks;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api/}, and {@code /metrics}: executions (list, detail with the step
 * timeline, start, stop), read-only SQL, the catalog's tables, reports with expiring links, a
 * search of calls, the dashboard's figures, and the alarms' firings. A mistake in a request is a
 * 4xx with one line in {@code {"error": ...}}.
 */
final class ApiRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

  /** Strict about what a client sends: a key twice, or text after the object, is a mistake. */
  static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /**
   * What the routes work with. {@code run} runs an execution this process has just started and
   * owns.
   */
  record Parts(
      Catalog catalog,
      ExecutionStore executions,
      Executor executor,
      Consumer<String> run,
      ApiQueries queries,
      ObjectStore reports,
      ReportLinks links,
      Duration linkExpiry,
      Path tempDir,
      ConsoleMetrics metrics,
      io.cdrpipeline.alarm.AlarmStore alarms,
      Clock clock) {
    Parts {
      Objects.requireNonNull(alarms, "alarms is null");
      Objects.requireNonNull(catalog, "catalog is null");
      Objects.requireNonNull(executions, "executions is null");
      Objects.requireNonNull(executor, "executor is null");
      Objects.requireNonNull(run, "run is null");
      Objects.requireNonNull(queries, "queries is null");
      Objects.requireNonNull(reports, "reports is null");
      Objects.requireNonNull(links, "links is null");
      Objects.requireNonNull(linkExpiry, "linkExpiry is null");
      Objects.requireNonNull(tempDir, "tempDir is null");
      Objects.requireNonNull(metrics, "metrics is null");
      Objects.requireNonNull(clock, "clock is null");
    }
  }

  /** A request's mistake, with its status and one line. */
  static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiError(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final Parts p;
  private final ExecutionRoutes executions;
  private final QueryRoutes query;
  private final TableRoutes tables;
  private final ReportRoutes reports;
  private final CdrRoutes cdrs;
  private final DashboardRoutes dashboard;
  private final AlarmRoutes alarms;

  ApiRoutes(Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
    this.executions = new ExecutionRoutes(parts);
    this.query = new QueryRoutes(parts);
    this.tables = new TableRoutes(parts);
    this.reports = new ReportRoutes(parts);
    this.cdrs = new CdrRoutes(parts);
    this.dashboard = new DashboardRoutes(parts, executions);
    this.alarms = new AlarmRoutes(parts);
  }

  void register(Javalin app) {
    app.get("/api/executions", executions::list);
    app.post("/api/executions", executions::start);
    app.get("/api/executions/{id}", executions::get);
    app.post("/api/executions/{id}/stop", executions::stop);
    app.post("/api/query", query::query);
    app.get("/api/tables", tables::list);
    app.get("/api/tables/{name}", tables::get);
    app.get("/api/reports", reports::list);
    app.get("/api/cdrs", cdrs::search);
    app.get("/api/dashboard", dashboard::get);
    app.get("/api/alarms", alarms::list);
    app.get("/api/alarms/{id}", alarms::get);
    app.post("/api/alarms/{id}/ack", alarms::acknowledge);
    app.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(p.metrics().scrape()));
    app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
    app.exception(CdrSearch.BadParameter.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    app.exception(QueryException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    app.exception(
        ResultTooLargeException.class,
        (e, ctx) ->
            error(
                ctx,
                413,
                "the result is more than "
                    + "query.resultLimit ("
                    + Sizes.text(e.limitBytes())
                    + ") of text: select fewer or narrower columns, add a "
                    + "WHERE or a LIMIT, or run it with 'cdr query --format csv', which streams it"));
    app.exception(
        ApiQueries.Busy.class,
        (e, ctx) -> {
          ctx.header("Retry-After", "5");
          error(ctx, 503, e.getMessage());
        });
    app.exception(
        CatalogException.class,
        (e, ctx) -> {
          LOG.error("{} {}: the catalog failed", ctx.method(), ctx.path(), e);
          error(ctx, 503, e.getMessage().split("\n", 2)[0]);
        });
    // a damaged table (a file its metadata names is missing or cut short) until 'cdr table repair':
    // the service stays up, and what needs only the catalog still answers
    app.exception(
        io.cdrpipeline.table.TableException.class,
        (e, ctx) -> {
          LOG.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
          error(ctx, 503, e.getMessage());
        });
  }

  /** Stops the queries running for clients, so that the server stops without waiting for them. */
  void close() {
    p.queries().close();
  }

  /** Answers with {@code {"error": line}}. */
  static void error(Context ctx, int status, String line) {
    ObjectNode o = JSON.createObjectNode();
    o.put("error", line == null ? "failed" : line.split("\n", 2)[0]);
    ctx.status(status).contentType("application/json").result(o.toString());
  }
}
