package io.cdrpipeline.app.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.context.ResultPrinter;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.query.QuerySink;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Reading an API request (its JSON body, its parameters) and writing an answer, for every resource.
 */
final class ApiRequests {
  private ApiRequests() {}

  static void json(Context ctx, int status, JsonNode body) throws JsonProcessingException {
    ctx.status(status)
        .contentType("application/json")
        .result(ApiRoutes.JSON.writeValueAsString(body));
  }

  /** json or csv, from the body, then {@code ?format=}, then the Accept header. */
  static String format(Context ctx, String fromBody) {
    String f = fromBody != null ? fromBody : ctx.queryParam("format");
    if (f == null) {
      String accept = ctx.header("Accept");
      return accept != null && accept.contains("text/csv") ? "csv" : "json";
    }
    f = f.toLowerCase(Locale.ROOT);
    if (!f.equals("json") && !f.equals("csv")) {
      throw new ApiRoutes.ApiError(400, "format: '" + f + "' (expected json or csv)");
    }
    return f;
  }

  static void csv(Context ctx, String file, QueryResult r) throws IOException {
    ctx.status(200)
        .contentType("text/csv; charset=utf-8")
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

  static JsonNode body(Context ctx) {
    // a browser sends text/plain or a form across sites without asking first; JSON it must ask for
    String type = ctx.header("Content-Type");
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/json")) {
      throw new ApiRoutes.ApiError(
          415,
          "the body must be JSON sent with 'Content-Type: application/json' (got "
              + (type == null ? "no Content-Type" : "'" + type.strip() + "'")
              + ")");
    }
    String text = ctx.body();
    if (text.isBlank()) {
      throw new ApiRoutes.ApiError(400, "expected a JSON object in the body");
    }
    JsonNode n;
    try {
      n = ApiRoutes.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ApiRoutes.ApiError(
          400, "the body is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
    }
    if (n == null || !n.isObject()) {
      throw new ApiRoutes.ApiError(400, "expected a JSON object in the body");
    }
    return n;
  }

  static int intParam(Context ctx, String name, int dflt, int min, int max) {
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
    throw new ApiRoutes.ApiError(
        400, name + ": '" + v + "' (expected a whole number from " + min + " to " + max + ")");
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
