package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.workflow.Execution;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code /api/dashboard}: the figures of the processed days, and the last execution of each
 * workflow.
 */
final class DashboardRoutes {
  private final ApiRoutes.Parts p;
  private final ExecutionRoutes executions;

  DashboardRoutes(ApiRoutes.Parts parts, ExecutionRoutes executions) {
    this.p = Objects.requireNonNull(parts, "parts is null");
    this.executions = Objects.requireNonNull(executions, "executions is null");
  }

  void get(Context ctx) throws Exception {
    int span = ApiRequests.intParam(ctx, "days", 31, 1, 366);
    List<LocalDate> processed =
        p.catalog().processedDays().stream().map(ProcessedDay::day).sorted().toList();
    LocalDate to =
        processed.isEmpty() ? LocalDate.now(p.clock()) : processed.get(processed.size() - 1);
    LocalDate from = to.minusDays(span - 1L);
    if (!processed.isEmpty() && processed.get(0).isAfter(from)) {
      from = processed.get(0); // no empty days before the first one with data
    }
    LocalDate first = from;
    ObjectNode out = p.queries().with("dashboard", engine -> Dashboard.of(engine, first, to));
    ObjectNode last = out.putObject("lastExecutions");
    for (String w : List.of("daily", "full", "report")) {
      List<Execution> l = p.executions().list(Optional.of(w), Optional.empty(), 1);
      last.set(w, l.isEmpty() ? null : executions.executionJson(l.get(0), false));
    }
    ApiRequests.json(ctx, 200, out);
  }
}
