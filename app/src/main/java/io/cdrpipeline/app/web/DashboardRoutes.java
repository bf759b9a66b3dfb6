package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.workflow.Execution;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code /api/dashboard}: the figures of the calls that started in a range ({@code from}/{@code
 * to}, or the {@code days} up to the newest processed day), of one voice connector ({@code
 * connector}) or all, and the last execution of each workflow.
 */
final class DashboardRoutes {
  private final ApiRoutes.Parts p;
  private final ExecutionRoutes executions;

  DashboardRoutes(ApiRoutes.Parts parts, ExecutionRoutes executions) {
    this.p = Objects.requireNonNull(parts, "parts is null");
    this.executions = Objects.requireNonNull(executions, "executions is null");
  }

  void get(Context ctx) throws Exception {
    String fromParam = ApiRequests.blankToNull(ctx.queryParam("from"));
    String toParam = ApiRequests.blankToNull(ctx.queryParam("to"));
    List<LocalDate> processed =
        p.catalog().processedDays().stream().map(ProcessedDay::day).sorted().toList();
    Optional<String> connector =
        Optional.ofNullable(ApiRequests.blankToNull(ctx.queryParam("connector"))).map(String::trim);
    connector.ifPresent(
        c -> {
          if (!c.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,127}")) {
            throw new ApiRoutes.ApiError(
                400,
                "connector: '"
                    + shorten(c)
                    + "' is not a voice connector id (letters, digits, - and _)");
          }
        });
    Instant from;
    Instant to;
    if (fromParam == null && toParam == null) {
      int span = ApiRequests.intParam(ctx, "days", 31, 1, 366);
      LocalDate last =
          processed.isEmpty() ? LocalDate.now(p.clock()) : processed.get(processed.size() - 1);
      LocalDate first = last.minusDays(span - 1L);
      if (!processed.isEmpty() && processed.get(0).isAfter(first)) {
        first = processed.get(0); // no empty days before the first one with data
      }
      from = first.atStartOfDay().toInstant(ZoneOffset.UTC);
      to = last.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    } else {
      if (fromParam == null || toParam == null) {
        throw new ApiRoutes.ApiError(
            400, "from and to go together, e.g. from=2026-11-01&to=2026-11-30");
      }
      if (ctx.queryParam("days") != null) {
        throw new ApiRoutes.ApiError(400, "days or from/to, not both");
      }
      from = time("from", fromParam, false);
      to = time("to", toParam, true);
      if (!to.isAfter(from)) {
        throw new ApiRoutes.ApiError(400, "from: " + fromParam + " is not before to: " + toParam);
      }
      if (to.isAfter(from.plus(Dashboard.LONGEST))) {
        throw new ApiRoutes.ApiError(
            400, "from " + fromParam + " to " + toParam + " is longer than 366 days");
      }
    }
    Dashboard.Range range = new Dashboard.Range(from, to, connector);
    ObjectNode out = p.queries().with("dashboard", engine -> Dashboard.of(engine, range));
    out.put(
        "newestProcessedDay",
        processed.isEmpty() ? null : processed.get(processed.size() - 1).toString());
    ObjectNode last = out.putObject("lastExecutions");
    for (String w : List.of("daily", "full", "report")) {
      List<Execution> l = p.executions().list(Optional.of(w), Optional.empty(), 1);
      last.set(w, l.isEmpty() ? null : executions.executionJson(l.get(0), false));
    }
    ApiRequests.json(ctx, 200, out);
  }

  /**
   * A day {@code YYYY-MM-DD} (its start; for {@code to}, its end: the day is included) or a UTC
   * time {@code YYYY-MM-DDTHH:MM[:SS]Z}.
   */
  static Instant time(String name, String v, boolean end) {
    String s = v.trim();
    try {
      if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
        LocalDate d = LocalDate.parse(s);
        return (end ? d.plusDays(1) : d).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      if (s.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?Z")) {
        return Instant.parse(s.length() == 17 ? s.replace("Z", ":00Z") : s);
      }
    } catch (DateTimeParseException e) {
      // said below
    }
    throw new ApiRoutes.ApiError(
        400,
        name
            + ": '"
            + shorten(v)
            + "' (expected a day YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM[:SS]Z)");
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
