package io.cdrpipeline.app.web;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.context.ResultPrinter;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * {@code /api/query}: one read-only statement, its rows as JSON or CSV, bounded by the query
 * limits.
 */
final class QueryRoutes {
  private final ApiRoutes.Parts p;

  QueryRoutes(ApiRoutes.Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
  }

  void query(Context ctx) throws Exception {
    JsonNode body = ApiRequests.body(ctx);
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("sql") && !k.equals("format")) {
        throw new ApiRoutes.ApiError(
            400,
            "unknown key \""
                + k
                + "\" (the body is {\"sql\": \"SELECT ...\", \"format\": \"json|csv\"})");
      }
    }
    if (!body.path("sql").isTextual() || body.get("sql").asText().isBlank()) {
      throw new ApiRoutes.ApiError(
          400,
          "sql: expected the statement as a string, e.g. {\"sql\": \"SELECT count(*) FROM processed_cdrs\"}");
    }
    String format =
        ApiRequests.format(
            ctx, body.path("format").isTextual() ? body.get("format").asText() : null);
    String sql = body.get("sql").asText();
    int rowLimit = p.queries().limits().rowLimit();
    long start = System.nanoTime();
    ApiQueries.Limited r =
        p.queries().with("query", engine -> ApiQueries.limited(engine, sql, rowLimit));
    long ms = (System.nanoTime() - start) / 1_000_000;
    ctx.header("X-Row-Limit", Integer.toString(rowLimit));
    ctx.header("X-Truncated", Boolean.toString(r.truncated()));
    if (format.equals("csv")) {
      ApiRequests.csv(ctx, "query.csv", r.result());
      return;
    }
    ctx.status(200).contentType("application/json");
    try (JsonGenerator g = ApiRoutes.JSON.getFactory().createGenerator(ctx.outputStream())) {
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
        g.writeStringField(
            "plan",
            ResultPrinter.planText(r.result().rows())); // EXPLAIN: its lines, to show as text
      }
      g.writeNumberField("rowCount", r.result().rows().size());
      g.writeBooleanField("truncated", r.truncated());
      g.writeNumberField("rowLimit", rowLimit);
      g.writeNumberField("elapsedMs", ms);
      g.writeEndObject();
    }
  }
}
