package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.workflow.AlreadyRunningException;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.Step;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** {@code /api/executions}: list, detail with the step timeline, start, stop. */
final class ExecutionRoutes {
  private final ApiRoutes.Parts p;

  ExecutionRoutes(ApiRoutes.Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
  }

  void list(Context ctx) throws IOException {
    Optional<ExecutionStatus> status =
        Optional.ofNullable(ApiRequests.blankToNull(ctx.queryParam("status")))
            .map(
                s -> {
                  try {
                    return ExecutionStatus.valueOf(s.toUpperCase(Locale.ROOT));
                  } catch (IllegalArgumentException e) {
                    throw new ApiRoutes.ApiError(
                        400,
                        "status: unknown status '"
                            + s
                            + "' (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)");
                  }
                });
    Optional<String> workflow =
        Optional.ofNullable(ApiRequests.blankToNull(ctx.queryParam("workflow")));
    workflow.ifPresent(this::workflowOrError);
    int limit = ApiRequests.intParam(ctx, "limit", 50, 1, 1000);
    ArrayNode list = ApiRoutes.JSON.createArrayNode();
    for (Execution e : p.executions().list(workflow, status, limit)) {
      list.add(executionJson(e, false));
    }
    ObjectNode out = ApiRoutes.JSON.createObjectNode();
    out.set("executions", list);
    ApiRequests.json(ctx, 200, out);
  }

  void start(Context ctx) throws IOException {
    JsonNode body = ApiRequests.body(ctx);
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("workflow") && !k.equals("input")) {
        throw new ApiRoutes.ApiError(
            400,
            "unknown key \""
                + k
                + "\" (the body is {\"workflow\": \"daily|full|report\", \"input\": {...}})");
      }
    }
    if (!body.path("workflow").isTextual()) {
      throw new ApiRoutes.ApiError(
          400,
          "workflow: expected daily, full or report, e.g. {\"workflow\": \"daily\", \"input\": {\"Date\": \"2026-11-27\"}}");
    }
    String workflow = body.get("workflow").asText();
    workflowOrError(workflow);
    JsonNode input = body.path("input");
    if (!input.isMissingNode() && !input.isNull() && !input.isObject()) {
      throw new ApiRoutes.ApiError(
          400, "input: expected a JSON object, e.g. {\"Date\": \"2026-11-27\"}");
    }
    Execution e;
    try {
      e = p.executor().start(workflow, input.isObject() ? (ObjectNode) input : null, "api", true);
    } catch (AlreadyRunningException already) {
      ObjectNode o = ApiRoutes.JSON.createObjectNode();
      o.put("error", already.getMessage());
      o.put("executionId", already.executionId());
      ApiRequests.json(ctx, 409, o);
      return;
    } catch (IllegalArgumentException bad) {
      throw new ApiRoutes.ApiError(400, bad.getMessage());
    }
    p.run().accept(e.id());
    ctx.header("Location", "/api/executions/" + e.id());
    ApiRequests.json(ctx, 201, executionJson(e, true));
  }

  void get(Context ctx) throws IOException {
    ApiRequests.json(ctx, 200, executionJson(executionOr404(ctx.pathParam("id")), true));
  }

  void stop(Context ctx) throws IOException {
    Execution e = executionOr404(ctx.pathParam("id"));
    if (e.status().isFinal()) {
      throw new ApiRoutes.ApiError(
          409, "execution " + e.id() + " is not running (" + e.status() + ")");
    }
    p.executor().stop(e.id());
    ObjectNode o = executionJson(p.executions().get(e.id()).orElseThrow(), false);
    o.put("stopRequested", true);
    ApiRequests.json(ctx, 202, o);
  }

  private Execution executionOr404(String id) {
    return p.executions()
        .get(id)
        .orElseThrow(() -> new ApiRoutes.ApiError(404, "no execution '" + id + "'"));
  }

  private void workflowOrError(String workflow) {
    try {
      p.executor().workflow(workflow);
    } catch (IllegalArgumentException e) {
      throw new ApiRoutes.ApiError(400, "workflow: " + e.getMessage());
    }
  }

  /** An execution as JSON; with detail, its step timeline and events. */
  ObjectNode executionJson(Execution e, boolean detail) {
    ObjectNode o = ApiRoutes.JSON.createObjectNode();
    o.put("id", e.id());
    o.put("workflow", e.workflow());
    o.put("status", e.status().name());
    o.put("trigger", e.trigger());
    o.set("input", e.input());
    o.put("startedAt", e.startedAt().toString());
    o.put("endedAt", e.endedAt().map(Instant::toString).orElse(null));
    o.put(
        "durationSeconds",
        Duration.between(e.startedAt(), e.endedAt().orElse(p.clock().instant())).toMillis()
            / 1000.0);
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
          step.put(
              "status", ev.type() == ExecutionEvent.Type.STEP_SUCCEEDED ? "SUCCEEDED" : "FAILED");
          step.put("endedAt", ev.at().toString());
          step.put("detail", ev.detail().orElse(null));
          if (step.has("startedAt")) {
            step.put(
                "durationSeconds",
                Duration.between(Instant.parse(step.get("startedAt").asText()), ev.at()).toMillis()
                    / 1000.0);
          }
        }
        default -> {
          // retries and notifications are in the events
        }
      }
    }
    return o;
  }
}
