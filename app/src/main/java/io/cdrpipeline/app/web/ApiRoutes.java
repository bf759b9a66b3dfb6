package io.cdrpipeline.app.web;

import io.cdrpipeline.app.context.ResultPrinter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.CatalogException;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.config.Sizes;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.query.QueryException;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.query.QuerySink;
import io.cdrpipeline.query.ResultTooLargeException;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.report.ReportLinks;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.workflow.AlreadyRunningException;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Step;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api/}, and {@code /metrics}: executions (list, detail with the step
 * timeline, start, stop), read-only SQL, the catalog's tables, reports with expiring links, a
 * search of calls, and the dashboard's figures. A mistake in a request is a 4xx with one line in
 * {@code {"error": ...}}.
 */
final class ApiRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
  /** Strict about what a client sends: a key twice, or text after the object, is a mistake. */
  static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final int QUARANTINE_SHOWN = 1000;

  /** What the routes work with. {@code run} runs an execution this process has just started and owns. */
  record Parts(Catalog catalog, ExecutionStore executions, Executor executor, Consumer<String> run, ApiQueries queries,
      ObjectStore reports, ReportLinks links, Duration linkExpiry, Path tempDir, ConsoleMetrics metrics, Clock clock) {
    Parts {
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

  ApiRoutes(Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
  }

  void register(Javalin app) {
    app.get("/api/executions", this::listExecutions);
    app.post("/api/executions", this::startExecution);
    app.get("/api/executions/{id}", this::execution);
    app.post("/api/executions/{id}/stop", this::stopExecution);
    app.post("/api/query", this::query);
    app.get("/api/tables", this::tables);
    app.get("/api/tables/{name}", this::table);
    app.get("/api/reports", this::reports);
    app.get("/api/cdrs", this::cdrs);
    app.get("/api/dashboard", this::dashboard);
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(p.metrics().scrape()));
    app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
    app.exception(CdrSearch.BadParameter.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    app.exception(QueryException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    app.exception(ResultTooLargeException.class, (e, ctx) -> error(ctx, 413, "the result is more than "
        + "query.resultLimit (" + Sizes.text(e.limitBytes()) + ") of text: select fewer or narrower columns, add a "
        + "WHERE or a LIMIT, or run it with 'cdr query --format csv', which streams it"));
    app.exception(ApiQueries.Busy.class, (e, ctx) -> {
      ctx.header("Retry-After", "5");
      error(ctx, 503, e.getMessage());
    });
    app.exception(CatalogException.class, (e, ctx) -> {
      LOG.error("{} {}: the catalog failed", ctx.method(), ctx.path(), e);
      error(ctx, 503, e.getMessage().split("\n", 2)[0]);
    });
    // a damaged table (a file its metadata names is missing or cut short) until 'cdr table repair':
    // the service stays up, and what needs only the catalog still answers
    app.exception(io.cdrpipeline.table.TableException.class, (e, ctx) -> {
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

  private static void json(Context ctx, int status, JsonNode body) throws JsonProcessingException {
    ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
  }

  // ------------------------------------------------------------------ executions

  private void listExecutions(Context ctx) throws IOException {
    Optional<ExecutionStatus> status = Optional.ofNullable(blankToNull(ctx.queryParam("status"))).map(s -> {
      try {
        return ExecutionStatus.valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ApiError(400, "status: unknown status '" + s + "' (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)");
      }
    });
    Optional<String> workflow = Optional.ofNullable(blankToNull(ctx.queryParam("workflow")));
    workflow.ifPresent(this::workflowOrError);
    int limit = intParam(ctx, "limit", 50, 1, 1000);
    ArrayNode list = JSON.createArrayNode();
    for (Execution e : p.executions().list(workflow, status, limit)) {
      list.add(executionJson(e, false));
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("executions", list);
    json(ctx, 200, out);
  }

  private void startExecution(Context ctx) throws IOException {
    JsonNode body = body(ctx);
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("workflow") && !k.equals("input")) {
        throw new ApiError(400, "unknown key \"" + k + "\" (the body is {\"workflow\": \"daily|full|report\", \"input\": {...}})");
      }
    }
    if (!body.path("workflow").isTextual()) {
      throw new ApiError(400, "workflow: expected daily, full or report, e.g. {\"workflow\": \"daily\", \"input\": {\"Date\": \"2026-11-27\"}}");
    }
    String workflow = body.get("workflow").asText();
    workflowOrError(workflow);
    JsonNode input = body.path("input");
    if (!input.isMissingNode() && !input.isNull() && !input.isObject()) {
      throw new ApiError(400, "input: expected a JSON object, e.g. {\"Date\": \"2026-11-27\"}");
    }
    Execution e;
    try {
      e = p.executor().start(workflow, input.isObject() ? (ObjectNode) input : null, "api", true);
    } catch (AlreadyRunningException already) {
      ObjectNode o = JSON.createObjectNode();
      o.put("error", already.getMessage());
      o.put("executionId", already.executionId());
      json(ctx, 409, o);
      return;
    } catch (IllegalArgumentException bad) {
      throw new ApiError(400, bad.getMessage());
    }
    p.run().accept(e.id());
    ctx.header("Location", "/api/executions/" + e.id());
    json(ctx, 201, executionJson(e, true));
  }

  private void execution(Context ctx) throws IOException {
    json(ctx, 200, executionJson(executionOr404(ctx.pathParam("id")), true));
  }

  private void stopExecution(Context ctx) throws IOException {
    Execution e = executionOr404(ctx.pathParam("id"));
    if (e.status().isFinal()) {
      throw new ApiError(409, "execution " + e.id() + " is not running (" + e.status() + ")");
    }
    p.executor().stop(e.id());
    ObjectNode o = executionJson(p.executions().get(e.id()).orElseThrow(), false);
    o.put("stopRequested", true);
    json(ctx, 202, o);
  }

  private Execution executionOr404(String id) {
    return p.executions().get(id).orElseThrow(() -> new ApiError(404, "no execution '" + id + "'"));
  }

  private void workflowOrError(String workflow) {
    try {
      p.executor().workflow(workflow);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "workflow: " + e.getMessage());
    }
  }

  /** An execution as JSON; with detail, its step timeline and events. */
  ObjectNode executionJson(Execution e, boolean detail) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", e.id());
    o.put("workflow", e.workflow());
    o.put("status", e.status().name());
    o.put("trigger", e.trigger());
    o.set("input", e.input());
    o.put("startedAt", e.startedAt().toString());
    o.put("endedAt", e.endedAt().map(Instant::toString).orElse(null));
    o.put("durationSeconds", Duration.between(e.startedAt(), e.endedAt().orElse(p.clock().instant())).toMillis() / 1000.0);
    o.put("error", e.error().orElse(null));
    o.set("output", e.output().orElse(null));
    if (!detail) {
      return o;
    }
    o.put("deadline", e.deadline().toString());
    o.put("owner", e.owner().orElse(null));
    o.put("heartbeatAt", e.heartbeatAt().map(Instant::toString).orElse(null));
    o.put("stopRequested", e.stopRequested());
    List<ExecutionEvent> events = p.executions().events(e.id());
    Map<String, ObjectNode> steps = new TreeMap<>();
    ArrayNode timeline = o.putArray("steps");
    List<Step> defined;
    try {
      defined = p.executor().workflow(e.workflow()).steps();
    } catch (IllegalArgumentException unknown) {
      defined = List.of();
    }
    for (Step s : defined) {
      ObjectNode step = timeline.addObject();
      step.put("name", s.name());
      step.put("status", e.status().isFinal() ? "NOT_RUN" : "PENDING");
      step.put("attempts", 0);
      steps.put(s.name(), step);
    }
    ArrayNode evs = o.putArray("events");
    for (ExecutionEvent ev : events) {
      ObjectNode j = evs.addObject();
      j.put("seq", ev.seq());
      j.put("at", ev.at().toString());
      j.put("type", ev.type().name());
      j.put("step", ev.step().orElse(null));
      j.put("detail", ev.detail().orElse(null));
      ObjectNode step = ev.step().map(steps::get).orElse(null);
      if (step == null) {
        continue;
      }
      switch (ev.type()) {
        case STEP_STARTED -> {
          if (!step.has("startedAt")) {
            step.put("startedAt", ev.at().toString());
          }
          step.put("status", e.status().isFinal() ? "INTERRUPTED" : "RUNNING");
          step.put("attempts", step.get("attempts").asInt() + 1);
        }
        case STEP_SUCCEEDED, STEP_FAILED -> {
          step.put("status", ev.type() == ExecutionEvent.Type.STEP_SUCCEEDED ? "SUCCEEDED" : "FAILED");
          step.put("endedAt", ev.at().toString());
          step.put("detail", ev.detail().orElse(null));
          if (step.has("startedAt")) {
            step.put("durationSeconds",
                Duration.between(Instant.parse(step.get("startedAt").asText()), ev.at()).toMillis() / 1000.0);
          }
        }
        default -> {
          // retries and notifications are in the events
        }
      }
    }
    return o;
  }

  // ------------------------------------------------------------------ SQL

  private void query(Context ctx) throws Exception {
    JsonNode body = body(ctx);
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("sql") && !k.equals("format")) {
        throw new ApiError(400, "unknown key \"" + k + "\" (the body is {\"sql\": \"SELECT ...\", \"format\": \"json|csv\"})");
      }
    }
    if (!body.path("sql").isTextual() || body.get("sql").asText().isBlank()) {
      throw new ApiError(400, "sql: expected the statement as a string, e.g. {\"sql\": \"SELECT count(*) FROM processed_cdrs\"}");
    }
    String format = format(ctx, body.path("format").isTextual() ? body.get("format").asText() : null);
    String sql = body.get("sql").asText();
    int rowLimit = p.queries().limits().rowLimit();
    long start = System.nanoTime();
    ApiQueries.Limited r = p.queries().with("query", engine -> ApiQueries.limited(engine, sql, rowLimit));
    long ms = (System.nanoTime() - start) / 1_000_000;
    ctx.header("X-Row-Limit", Integer.toString(rowLimit));
    ctx.header("X-Truncated", Boolean.toString(r.truncated()));
    if (format.equals("csv")) {
      csv(ctx, "query.csv", r.result());
      return;
    }
    ctx.status(200).contentType("application/json");
    try (JsonGenerator g = JSON.getFactory().createGenerator(ctx.outputStream())) {
      g.writeStartObject();
      g.writeArrayFieldStart("columns");
      for (String c : r.result().columns()) {
        g.writeString(c);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("types");
      for (String t : r.result().types()) {
        g.writeString(t);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("rows");
      for (List<Object> row : r.result().rows()) {
        g.writeStartArray();
        for (Object v : row) {
          ResultPrinter.writeValue(g, v);
        }
        g.writeEndArray();
      }
      g.writeEndArray();
      if (ResultPrinter.isPlan(r.result().columns())) {
        g.writeStringField("plan", ResultPrinter.planText(r.result().rows())); // EXPLAIN: its lines, to show as text
      }
      g.writeNumberField("rowCount", r.result().rows().size());
      g.writeBooleanField("truncated", r.truncated());
      g.writeNumberField("rowLimit", rowLimit);
      g.writeNumberField("elapsedMs", ms);
      g.writeEndObject();
    }
  }

  /** json or csv, from the body, then {@code ?format=}, then the Accept header. */
  private static String format(Context ctx, String fromBody) {
    String f = fromBody != null ? fromBody : ctx.queryParam("format");
    if (f == null) {
      String accept = ctx.header("Accept");
      return accept != null && accept.contains("text/csv") ? "csv" : "json";
    }
    f = f.toLowerCase(Locale.ROOT);
    if (!f.equals("json") && !f.equals("csv")) {
      throw new ApiError(400, "format: '" + f + "' (expected json or csv)");
    }
    return f;
  }

  private static void csv(Context ctx, String file, QueryResult r) throws IOException {
    ctx.status(200).contentType("text/csv; charset=utf-8")
        .header("Content-Disposition", "attachment; filename=\"" + file + "\"");
    PrintStream out = new PrintStream(ctx.outputStream(), false, StandardCharsets.UTF_8);
    QuerySink sink = ResultPrinter.sink(ResultPrinter.Format.csv, out);
    sink.header(r.columns(), r.types());
    for (List<Object> row : r.rows()) {
      sink.row(row);
    }
    sink.end();
    out.flush();
  }

  // ------------------------------------------------------------------ catalog

  private static final List<String> TABLES = List.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE);

  private void tables(Context ctx) throws IOException {
    Catalog c = p.catalog();
    ArrayNode list = JSON.createArrayNode();
    for (String name : TABLES) {
      ObjectNode o = list.addObject();
      o.put("name", name);
      Optional<CatalogTable> t = c.table(name);
      o.put("crawled", t.isPresent());
      o.put("format", t.map(CatalogTable::format).orElse(null));
      o.put("location", t.map(CatalogTable::location).orElse(null));
      o.put("columns", c.columns(name).size());
      o.put("partitions", c.partitions(name).size());
    }
    List<ProcessedDay> days = c.processedDays();
    ObjectNode out = JSON.createObjectNode();
    out.set("tables", list);
    out.put("processedDays", days.size());
    out.put("rows", days.stream().mapToLong(ProcessedDay::rowsWritten).sum());
    out.put("rejectedFiles", days.stream().mapToLong(ProcessedDay::rejected).sum());
    json(ctx, 200, out);
  }

  private void table(Context ctx) throws IOException {
    String name = ctx.pathParam("name");
    if (!TABLES.contains(name)) {
      throw new ApiError(404, "no table '" + name + "' (tables: " + String.join(", ", TABLES) + ")");
    }
    Catalog c = p.catalog();
    Optional<CatalogTable> t = c.table(name);
    ObjectNode o = JSON.createObjectNode();
    o.put("name", name);
    o.put("crawled", t.isPresent());
    o.put("format", t.map(CatalogTable::format).orElse(null));
    o.put("location", t.map(CatalogTable::location).orElse(null));
    ArrayNode keys = o.putArray("partitionKeys");
    t.ifPresent(x -> x.partitionKeys().forEach(keys::add));
    ArrayNode cols = o.putArray("columns");
    for (CatalogColumn col : c.columns(name)) {
      ObjectNode j = cols.addObject();
      j.put("name", col.name());
      j.put("type", col.type().name());
      j.put("sourceName", col.sourceName());
      j.put("position", col.position());
    }
    ArrayNode parts = o.putArray("partitions");
    for (Partition part : c.partitions(name)) {
      ObjectNode j = parts.addObject();
      j.put("source", part.source());
      j.put("path", part.path());
      j.put("voiceConnectorId", part.voiceConnectorId());
      j.put("date", part.date().toString());
      j.put("objects", part.objectCount());
      j.put("bytes", part.bytes());
      j.put("crawledAt", part.crawledAt().toString());
    }
    ArrayNode changes = o.putArray("schemaChanges");
    for (SchemaChange s : c.schemaChanges(name)) {
      ObjectNode j = changes.addObject();
      j.put("at", s.at().toString());
      j.put("column", s.column());
      j.put("kind", s.kind().name());
      j.put("oldType", s.oldType() == null ? null : s.oldType().name());
      j.put("newType", s.newType().name());
      j.put("text", s.toString());
    }
    if (name.equals(ProcessedSchema.TABLE)) {
      ArrayNode days = o.putArray("days");
      for (ProcessedDay d : c.processedDays()) {
        ObjectNode j = days.addObject();
        j.put("day", d.day().toString());
        j.put("rows", d.rowsWritten());
        j.put("rejected", d.rejected());
        j.put("sourceObjects", d.sourceObjects());
        j.put("files", d.files().size());
        j.put("processedAt", d.processedAt().toString());
      }
    }
    // the files of the raw table that the ETL rejected, the newest days first
    List<QuarantinedFile> q = c.quarantine(Optional.empty());
    o.put("quarantinedTotal", q.size());
    ArrayNode quarantined = o.putArray("quarantined");
    for (int i = q.size() - 1; i >= 0 && quarantined.size() < QUARANTINE_SHOWN; i--) {
      QuarantinedFile f = q.get(i);
      ObjectNode j = quarantined.addObject();
      j.put("day", f.day().toString());
      j.put("sourceKey", f.sourceKey());
      j.put("reason", f.reason());
      j.put("detectedAt", f.detectedAt().toString());
    }
    json(ctx, 200, o);
  }

  // ------------------------------------------------------------------ reports

  private void reports(Context ctx) throws IOException {
    Map<String, List<ObjectInfo>> months = new TreeMap<>(java.util.Comparator.reverseOrder());
    for (ObjectInfo info : p.reports().listAll(MonthlyReport.PREFIX)) {
      String rest = info.key().substring(MonthlyReport.PREFIX.length());
      int slash = rest.indexOf('/');
      if (slash == 7 && rest.substring(0, 7).matches("\\d{4}-\\d{2}") && rest.indexOf('/', slash + 1) < 0) {
        months.computeIfAbsent(rest.substring(0, 7), k -> new ArrayList<>()).add(info);
      }
    }
    Instant expires = p.clock().instant().plus(p.linkExpiry());
    ArrayNode list = JSON.createArrayNode();
    for (Map.Entry<String, List<ObjectInfo>> m : months.entrySet()) {
      ObjectNode month = list.addObject();
      month.put("month", m.getKey());
      ArrayNode files = month.putArray("files");
      m.getValue().sort(java.util.Comparator.comparing(ObjectInfo::key));
      for (ObjectInfo f : m.getValue()) {
        ObjectNode j = files.addObject();
        j.put("name", f.key().substring(f.key().lastIndexOf('/') + 1));
        j.put("key", f.key());
        j.put("bytes", f.size());
        j.put("link", p.links().linkFor(f.key(), p.linkExpiry()));
        j.put("expiresAt", expires.toString());
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("reports", list);
    out.put("linkExpirySeconds", p.linkExpiry().getSeconds());
    json(ctx, 200, out);
  }

  // ------------------------------------------------------------------ CDR search

  private void cdrs(Context ctx) throws Exception {
    CdrSearch search = CdrSearch.parse(ctx::queryParam);
    String format = format(ctx, null);
    String table = ProcessedSchema.TABLE;
    if (format.equals("csv")) {
      // every match, spooled to a file first so that a failure is an error status, never a cut-off file
      Path spool = Files.createTempFile(p.tempDir(), "cdrs-", ".csv");
      try {
        try (OutputStream file = Files.newOutputStream(spool);
            PrintStream out = new PrintStream(file, false, StandardCharsets.UTF_8)) {
          p.queries().with("cdrs", engine -> {
            engine.stream(search.allSql(table), ResultPrinter.sink(ResultPrinter.Format.csv, out));
            return null;
          });
        }
        ctx.status(200).contentType("text/csv; charset=utf-8")
            .header("Content-Disposition", "attachment; filename=\"cdrs.csv\"");
        Files.copy(spool, ctx.outputStream());
      } finally {
        Files.deleteIfExists(spool);
      }
      return;
    }
    ObjectNode out = p.queries().with("cdrs", engine -> {
      // bounded in bytes as /api/query is: a page of rows whose fields are huge is a 413, not the heap
      QueryResult page = ApiQueries.limited(engine, search.pageSql(table), search.size() + 1).result();
      long total = ((Number) engine.query(search.countSql(table)).rows().get(0).get(0)).longValue();
      ObjectNode o = JSON.createObjectNode();
      o.put("page", search.page());
      o.put("size", search.size());
      o.put("total", total);
      o.put("hasMore", page.rows().size() > search.size());
      ArrayNode cols = o.putArray("columns");
      page.columns().forEach(cols::add);
      ArrayNode rows = o.putArray("rows");
      for (List<Object> row : page.rows().subList(0, Math.min(search.size(), page.rows().size()))) {
        ObjectNode r = rows.addObject();
        for (int i = 0; i < row.size(); i++) {
          putValue(r, page.columns().get(i), row.get(i));
        }
      }
      return o;
    });
    json(ctx, 200, out);
  }

  private static void putValue(ObjectNode o, String name, Object v) {
    if (v == null) {
      o.putNull(name);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
      o.put(name, ((Number) v).longValue());
    } else if (v instanceof Double d) {
      o.put(name, d);
    } else if (v instanceof Boolean b) {
      o.put(name, b);
    } else {
      o.put(name, ResultPrinter.text(v));
    }
  }

  // ------------------------------------------------------------------ dashboard

  private void dashboard(Context ctx) throws Exception {
    int span = intParam(ctx, "days", 31, 1, 366);
    List<LocalDate> processed = p.catalog().processedDays().stream().map(ProcessedDay::day).sorted().toList();
    LocalDate to = processed.isEmpty() ? LocalDate.now(p.clock()) : processed.get(processed.size() - 1);
    LocalDate from = to.minusDays(span - 1L);
    if (!processed.isEmpty() && processed.get(0).isAfter(from)) {
      from = processed.get(0); // no empty days before the first one with data
    }
    LocalDate first = from;
    ObjectNode out = p.queries().with("dashboard", engine -> Dashboard.of(engine, first, to));
    ObjectNode last = out.putObject("lastExecutions");
    for (String w : List.of("daily", "full", "report")) {
      List<Execution> l = p.executions().list(Optional.of(w), Optional.empty(), 1);
      last.set(w, l.isEmpty() ? null : executionJson(l.get(0), false));
    }
    json(ctx, 200, out);
  }

  // ------------------------------------------------------------------ plumbing

  private static JsonNode body(Context ctx) {
    // a browser sends text/plain or a form across sites without asking first; JSON it must ask for
    String type = ctx.header("Content-Type");
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/json")) {
      throw new ApiError(415, "the body must be JSON sent with 'Content-Type: application/json' (got "
          + (type == null ? "no Content-Type" : "'" + type.strip() + "'") + ")");
    }
    String text = ctx.body();
    if (text.isBlank()) {
      throw new ApiError(400, "expected a JSON object in the body");
    }
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "the body is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
    }
    if (n == null || !n.isObject()) {
      throw new ApiError(400, "expected a JSON object in the body");
    }
    return n;
  }

  private static int intParam(Context ctx, String name, int dflt, int min, int max) {
    String v = blankToNull(ctx.queryParam(name));
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // said below
    }
    throw new ApiError(400, name + ": '" + v + "' (expected a whole number from " + min + " to " + max + ")");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
