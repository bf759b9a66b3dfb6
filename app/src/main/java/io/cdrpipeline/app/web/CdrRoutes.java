package io.cdrpipeline.app.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.app.context.ResultPrinter;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.query.QueryResult;
import io.javalin.http.Context;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** {@code /api/cdrs}: a search of calls, a page as JSON or every match as CSV. */
final class CdrRoutes {
  private final ApiRoutes.Parts p;

  CdrRoutes(ApiRoutes.Parts parts) {
    this.p = Objects.requireNonNull(parts, "parts is null");
  }

  void search(Context ctx) throws Exception {
    CdrSearch search = CdrSearch.parse(ctx::queryParam);
    String format = ApiRequests.format(ctx, null);
    String table = ProcessedSchema.TABLE;
    if (format.equals("csv")) {
      // every match, spooled to a file first so that a failure is an error status, never a cut-off
      // file
      Path spool = Files.createTempFile(p.tempDir(), "cdrs-", ".csv");
      try {
        try (OutputStream file = Files.newOutputStream(spool);
            PrintStream out = new PrintStream(file, false, StandardCharsets.UTF_8)) {
          p.queries()
              .with(
                  "cdrs",
                  engine -> {
                    engine.stream(
                        search.allSql(table), ResultPrinter.sink(ResultPrinter.Format.csv, out));
                    return null;
                  });
        }
        ctx.status(200)
            .contentType("text/csv; charset=utf-8")
            .header("Content-Disposition", "attachment; filename=\"cdrs.csv\"");
        Files.copy(spool, ctx.outputStream());
      } finally {
        Files.deleteIfExists(spool);
      }
      return;
    }
    ObjectNode out =
        p.queries()
            .with(
                "cdrs",
                engine -> {
                  // bounded in bytes as /api/query is: a page of rows whose fields are huge is a
                  // 413, not the heap
                  QueryResult page =
                      ApiQueries.limited(engine, search.pageSql(table), search.size() + 1).result();
                  long total =
                      ((Number) engine.query(search.countSql(table)).rows().get(0).get(0))
                          .longValue();
                  ObjectNode o = ApiRoutes.JSON.createObjectNode();
                  o.put("page", search.page());
                  o.put("size", search.size());
                  o.put("total", total);
                  o.put("hasMore", page.rows().size() > search.size());
                  ArrayNode cols = o.putArray("columns");
                  page.columns().forEach(cols::add);
                  ArrayNode rows = o.putArray("rows");
                  for (List<Object> row :
                      page.rows().subList(0, Math.min(search.size(), page.rows().size()))) {
                    ObjectNode r = rows.addObject();
                    for (int i = 0; i < row.size(); i++) {
                      putValue(r, page.columns().get(i), row.get(i));
                    }
                  }
                  return o;
                });
    ApiRequests.json(ctx, 200, out);
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
}
