package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.report.ReportResult;
import io.cdrpipeline.store.ObjectStore;
import java.io.PrintStream;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write the monthly report into the reports bucket (the starter kit's report).",
      "Files:",
      "  reports/YYYY-MM/npanxx.csv   calls and total duration per NPA-NXX of the",
      "                               destination number (npanxx, TotalDuration, CallCount)",
      "  reports/YYYY-MM/summary.csv  calls, duration and billable minutes per voice",
      "                               connector, direction and status",
      "Re-running a month replaces both files; a month without data gives header-only",
      "files."
    })
public final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--month",
      paramLabel = "YYYY-MM",
      description = "Report on this month (default: the previous calendar month, UTC).")
  String month;

  @Override
  public Integer call() throws Exception {
    io.cdrpipeline.duckdb.DuckDb.preload(); // while the config, catalog and table open
    AppContext ctx = Commands.context(spec);
    YearMonth m =
        month == null
            ? YearMonth.now(ZoneOffset.UTC).minusMonths(1)
            : Commands.month("--month", month);
    ObjectStore reports = ctx.reportsStore();
    ReportResult r;
    try (QueryEngine engine = ctx.queryEngine()) {
      r = new MonthlyReport(engine, reports).run(m);
    }
    PrintStream out = ctx.out;
    String root = reports.location().display() + "/";
    out.printf("%s: %,d calls%n", r.month(), r.calls());
    out.printf("  %s (%,d rows)%n", root + r.npanxxKey(), r.npanxxRows());
    out.printf("  %s (%,d rows)%n", root + r.summaryKey(), r.summaryRows());
    if (r.calls() == 0) {
      out.printf(
          "  no calls in %s: the files have headers only (run 'cdr etl' for its days first?)%n",
          r.month());
    }
    return 0;
  }
}
