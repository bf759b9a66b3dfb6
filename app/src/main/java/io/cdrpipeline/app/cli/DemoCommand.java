package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.ConsoleProgress;
import io.cdrpipeline.app.context.ResultPrinter;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.crawl.CrawlResult;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.store.ObjectStore;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show the whole pipeline on sample data (the main job).",
      "Generates three days of CDRs (two voice connectors, a few malformed files), crawls, runs the",
      "ETL for each day, and queries the result.",
      "Re-running it is safe: the same files are written and each day is replaced, not appended."
    })
public final class DemoCommand implements Callable<Integer> {
  /**
   * The query of the original starter kit, verbatim, with its defect: its outer COUNT(CallCount)
   * counts the one inner row of each npanxx, so every CallCount is 1.
   */
  static final String SEED_QUERY =
      "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount\n"
          + "FROM (SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount\n"
          + "      FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx";

  /**
   * What the original's query meant, as the monthly report computes it: the calls and their total
   * duration per npanxx, busiest first; numbers outside North America have no npanxx.
   */
  static final String NPANXX_QUERY =
      "SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(*) AS CallCount\n"
          + "FROM cdrs.processed_cdrs WHERE npanxx IS NOT NULL\n"
          + "GROUP BY npanxx ORDER BY TotalDuration DESC, npanxx LIMIT 10";

  @Spec CommandSpec spec;

  @Option(
      names = "--calls",
      paramLabel = "N",
      defaultValue = "1500",
      description = "Calls per day (default: ${DEFAULT-VALUE}).")
  int calls;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    LocalDate last = Commands.yesterdayUtc();
    List<LocalDate> days = List.of(last.minusDays(2), last.minusDays(1), last);
    ObjectStore cdr = ctx.cdrStore();
    ctx.out.println("== 1. generate sample CDRs into " + cdr.location().display());
    for (LocalDate d : days) {
      CdrGenerator.Result r = new CdrGenerator(cdr).generate(d, calls, 2, 42, 6, null);
      ctx.out.printf(
          "   %s: %d calls + %d malformed files, voice connectors %s%n",
          d, r.files(), r.malformed(), String.join(", ", r.connectors()));
    }
    ctx.out.println("== 2. crawl the CDR bucket (new folders only)");
    Crawler crawler = ctx.crawler(s -> {});
    CrawlResult raw = crawler.crawlRaw(cdr, ProcessedSchema.SOURCE_CDR, false);
    CrawlCommand.print(ctx.out, raw, cdr.location().display());
    ctx.out.println("== 3. ETL each day to Parquet");
    List<EtlSummary> runs = new ArrayList<>();
    for (LocalDate d : days) {
      EtlSummary s =
          ctx.etl(new ConsoleProgress(ctx.err, false)).runDay(d, ctx.config().dailyWorkers());
      runs.add(s);
      EtlCommand.print(ctx, s);
    }
    ctx.out.println("== 4. crawl the processed bucket");
    CrawlCommand.print(
        ctx.out,
        crawler.crawlProcessed(ctx.processedTable().iceberg(), false),
        ctx.processedStore().location().display());
    ctx.out.println(
        "== 5. calls and total duration per NPANXX, the 10 busiest (the starter kit's query, corrected):");
    ctx.out.println(indent(NPANXX_QUERY));
    try (QueryEngine q = ctx.queryEngine()) {
      q.stream(NPANXX_QUERY, ResultPrinter.sink(ResultPrinter.Format.table, ctx.out));
    }
    ctx.out.println(
        "== 6. the original's query, verbatim, with its defect: its outer COUNT(CallCount) counts the one");
    ctx.out.println(
        "   row per npanxx of its inner query, so every CallCount is 1 (the 5 longest):");
    ctx.out.println(indent(SEED_QUERY));
    try (QueryEngine q = ctx.queryEngine()) {
      q.stream(
          "SELECT * FROM (" + SEED_QUERY + ") ORDER BY TotalDuration DESC, npanxx LIMIT 5",
          ResultPrinter.sink(ResultPrinter.Format.table, ctx.out));
    }
    long rows = 0;
    long rejected = 0;
    for (ProcessedDay d : ctx.catalog().processedDays()) {
      if (days.contains(d.day())) {
        rows += d.rowsWritten();
        rejected += d.rejected();
      }
    }
    ctx.out.printf(
        "== rows in processed_cdrs for %s..%s: %,d; rejected files (quarantined): %,d%n",
        days.get(0), last, rows, rejected);
    io.cdrpipeline.table.IcebergTable t = ctx.processedTable().iceberg();
    ctx.out.println(
        "   Iceberg table: "
            + t.identifier()
            + " at "
            + display(t.location())
            + " (data/year=Y/month=M/day=D/, metadata/)");
    ctx.out.println(
        "   catalog:       " + io.cdrpipeline.catalog.Database.redact(ctx.config().catalogUrl()));
    ctx.out.println();
    ctx.out.println("Next, try:");
    ctx.out.println(
        "  ./cdr query \"SELECT direction, status, COUNT(*) AS calls, SUM(duration) AS seconds FROM processed_cdrs GROUP BY ALL ORDER BY calls DESC\"");
    ctx.out.println("  ./cdr query --format csv \"SELECT * FROM quarantined_cdrs\"");
    ctx.out.printf(
        "  ./cdr query \"SELECT hour, COUNT(*) FROM processed_cdrs WHERE year = %d AND month = %d AND day = %d GROUP BY hour ORDER BY hour\"%n",
        last.getYear(), last.getMonthValue(), last.getDayOfMonth());
    ctx.out.println("  ./cdr catalog processed_cdrs");
    ctx.out.println("  ./cdr table history          (one Iceberg snapshot per day replaced)");
    ctx.out.printf("  ./cdr etl --date %s      (re-run a day: replaced, never duplicated)%n", last);
    ctx.out.println("  ./cdr --help");
    return 0;
  }

  private static String indent(String sql) {
    return "   " + sql.replace("\n", "\n   ");
  }

  /** A location as a user writes it: a folder path, or the s3:// URI. */
  static String display(String location) {
    return location.startsWith("file:")
        ? io.cdrpipeline.table.StoreFileIO.path(location).toString()
        : location;
  }
}
