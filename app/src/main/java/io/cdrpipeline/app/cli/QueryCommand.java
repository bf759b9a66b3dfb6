package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.ResultPrinter;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.config.Sizes;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryException;
import io.cdrpipeline.query.ResultTooLargeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Run one read-only SQL query (DuckDB dialect) over the tables (the Athena of the original).",
      "Tables, unqualified or under the configured database name (default cdrs):",
      "  processed_cdrs                     the processed Parquet table; filter on year, month, day",
      "                                     (integers) to read only those days",
      "  amazon_chime_voice_connector_cdrs  the raw JSON as crawled",
      "  quarantined_cdrs                   rejected files: source_key, reason, year, month, day, detected_at",
      "Example:",
      "  cdr query \"SELECT npanxx, COUNT(*) AS calls FROM cdrs.processed_cdrs GROUP BY npanxx ORDER BY calls DESC LIMIT 5\""
    })
public final class QueryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table, csv (header row, no decoration) or json (default: ${DEFAULT-VALUE}).")
  ResultPrinter.Format format;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description = "Read the SQL from a file ('-' for standard input).")
  Path file;

  @Parameters(paramLabel = "SQL", arity = "0..*", description = "The query.")
  List<String> sql;

  @Override
  public Integer call() throws Exception {
    io.cdrpipeline.duckdb.DuckDb.preload(); // while the config, catalog and table open
    AppContext ctx = Commands.context(spec);
    String text;
    if (file != null) {
      if (sql != null && !sql.isEmpty()) {
        throw new UserException("give the SQL either as an argument or with --file, not both");
      }
      text =
          file.toString().equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(file);
    } else if (sql == null || sql.isEmpty()) {
      throw new UserException("no SQL given: cdr query \"SELECT ...\"");
    } else {
      text = String.join(" ", sql);
    }
    try (QueryEngine engine = ctx.queryEngine()) {
      if (format == ResultPrinter.Format.table) {
        // aligned over every row, the table is held whole in memory: bounded as an answer of the
        // API is
        try {
          engine.streamBounded(text, Long.MAX_VALUE, ResultPrinter.sink(format, ctx.out));
        } catch (ResultTooLargeException e) {
          throw new QueryException(
              "the result is more than query.resultLimit ("
                  + Sizes.text(e.limitBytes())
                  + ") of text to align as a table: use --format csv or --format json, which stream it, or narrow the "
                  + "query (fewer columns, a WHERE, a LIMIT)",
              e);
        }
      } else {
        engine.stream(text, ResultPrinter.sink(format, ctx.out));
      }
    }
    ctx.out.flush();
    return 0;
  }
}
