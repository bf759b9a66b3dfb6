package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.ConsoleProgress;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.app.spark.SparkEtl;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.app.spark.SparkProgressLine;
import io.cdrpipeline.model.Dates;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.TableRepair;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "table",
    mixinStandardHelpOptions = true,
    description = {
      "The processed table, an Apache Iceberg table: its snapshots, its upkeep, its repair, and dropping a day."
    },
    subcommands = {
      TableCommand.History.class,
      TableCommand.Maintain.class,
      TableCommand.Repair.class,
      TableCommand.DropDay.class
    })
public final class TableCommand implements Runnable {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "say what to do: 'cdr table history', 'cdr table maintain', 'cdr table repair' or 'cdr table drop-day'");
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = {
        "List the table's snapshots, oldest first: time (UTC), operation, the day it replaced,",
        "rows added and removed, and which one is current."
      })
  static final class History implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "Show the newest N (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new UserException("--limit must be at least 1, got " + limit);
      }
      AppContext ctx = Commands.context(spec);
      IcebergTable t = ctx.processedTable().iceberg().refresh();
      List<IcebergTable.SnapshotInfo> all = t.history();
      ctx.out.printf(
          "table %s at %s: %d snapshots kept%n", t.identifier(), t.location(), all.size());
      ctx.out.printf(
          "  %-19s %-9s %-10s %10s %10s  %s%n",
          "time", "operation", "day", "rows +", "rows -", "snapshot");
      for (IcebergTable.SnapshotInfo s : all.subList(Math.max(0, all.size() - limit), all.size())) {
        ctx.out.printf(
            "  %-19s %-9s %-10s %,10d %,10d  %d%s%n",
            TIME.format(s.at()),
            s.operation(),
            s.day().map(Object::toString).orElse("-"),
            s.rowsAdded(),
            s.rowsRemoved(),
            s.snapshotId(),
            s.current() ? " (current)" : "");
      }
      return 0;
    }
  }

  @Command(
      name = "drop-day",
      mixinStandardHelpOptions = true,
      description = {
        "Remove a day committed by mistake: one Iceberg commit that deletes the day's partition, then the",
        "catalog's bookkeeping of the day (its counts, files, quarantine records and partition). It says",
        "what the day holds and asks first (--yes skips the question; without a terminal --yes is needed).",
        "The raw files are not touched: a day that still has raw files comes back with the next run of it",
        "(cdr etl, the daily or full workflow, backfill). The dropped rows stay readable by snapshots kept",
        "for table.snapshotRetention, then 'cdr table maintain' deletes their files.",
        "--date also takes a day outside the years 2000-2099 that an older version committed",
        "(--date=-2026-11-02, +12026-11-02, 0000-01-01)."
      })
  static final class DropDay implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--date",
        required = true,
        paramLabel = "YYYY-MM-DD",
        description = "The day to drop.")
    String date;

    @Option(names = "--yes", description = "Drop without asking.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
      LocalDate day;
      try {
        day = Dates.storedDay("--date", date);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
      AppContext ctx = Commands.context(spec);
      Optional<Prompts> prompts = yes ? Optional.empty() : ctx.prompts();
      if (!yes && prompts.isEmpty()) {
        throw new UserException(
            "drop-day removes data and asks first, but there is no terminal to ask on: "
                + "run it in a terminal, or add --yes");
      }
      ProcessedTable table = ctx.processedTable();
      ProcessedTable.DayContent content = table.content(day);
      if (content.isEmpty()) {
        ctx.out.printf(
            "nothing to drop: the table has no rows of %s and the catalog no record of it%n", day);
        return 0;
      }
      ctx.out.printf("%s: %s%n", day, describe(content));
      if (!yes) {
        ctx.out.flush();
        try (Prompts ask = prompts.get()) {
          if (!ask.yes("Drop " + day + "? Its rows leave the table.", false)) {
            ctx.out.println("nothing was dropped");
            return 1;
          }
        }
      }
      String runId =
          "drop-"
              + TIME.format(Instant.now()).replaceAll("[-: ]", "")
              + "-"
              + UUID.randomUUID().toString().substring(0, 8);
      Optional<ProcessedTable.DroppedDay> dropped = table.dropDay(day, runId, ctx.err::println);
      if (dropped.isEmpty()) {
        ctx.out.printf("nothing to drop: %s was dropped meanwhile%n", day);
        return 0;
      }
      ProcessedTable.DroppedDay d = dropped.get();
      ctx.out.printf(
          "dropped %s: %s; %s%n",
          day,
          d.snapshotId()
              .map(
                  id ->
                      String.format(
                          "%,d rows in %d %s removed in " + "one commit (snapshot %d)",
                          d.content().rows(),
                          d.content().files(),
                          d.content().files() == 1 ? "file" : "files",
                          id))
              .orElse("the table had no files of it"),
          "the catalog's record of the day is gone");
      if (hasRawFiles(ctx, day)) {
        ctx.out.printf(
            "its raw files are still in the CDR bucket: the next run of %s (cdr etl, a workflow, backfill) "
                + "processes them again%n",
            day);
      }
      return 0;
    }

    private static String describe(ProcessedTable.DayContent c) {
      String table =
          String.format(
              "%,d rows in %d %s", c.rows(), c.files(), c.files() == 1 ? "file" : "files");
      return table
          + c.bookkeeping()
              .map(
                  b ->
                      ", committed "
                          + TIME.format(b.processedAt())
                          + " UTC by run "
                          + b.runId()
                          + String.format(" from %,d raw files", b.sourceObjects()))
              .orElse(", no record of it in the catalog");
    }

    private static boolean hasRawFiles(AppContext ctx, LocalDate day) throws IOException {
      // forced, only the rule about a day without raw files is left to refuse it
      return ctx.etl(io.cdrpipeline.etl.EtlListener.NONE).refusal(day, true).isEmpty();
    }
  }

  @Command(
      name = "maintain",
      mixinStandardHelpOptions = true,
      description = {
        "Expire snapshots replaced more than table.snapshotRetention ago (the current one stays) and",
        "delete the files only they referenced; delete orphan files (left by crashed runs) older",
        "than the retention, and at once the data files of ETL runs that failed; rewrite many small",
        "manifests into one per month. The daily workflow runs this as its last step before the",
        "notification."
      })
  static final class Maintain implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      AppContext ctx = Commands.context(spec);
      ProcessedTable table = ctx.processedTable();
      IcebergTable.Maintenance m = table.maintain(ctx.snapshotRetention(), Instant.now());
      ctx.out.printf(
          "expired %d snapshots, deleted %d orphan files%s, manifests %d -> %d (retention %s)%n",
          m.snapshotsExpired(),
          m.orphansDeleted(),
          m.failedRunFiles() == 0 ? "" : " (" + m.failedRunFiles() + " written by failed ETL runs)",
          m.manifestsBefore(),
          m.manifestsAfter(),
          Commands.duration(ctx.snapshotRetention()));
      return 0;
    }
  }

  @Command(
      name = "repair",
      mixinStandardHelpOptions = true,
      description = {
        "Bring back a table whose metadata is damaged or missing, or that the catalog lost (an emptied",
        "or replaced catalog): the catalog is pointed at the newest metadata file that can be read, the",
        "table rolled back to its newest snapshot whose files can be read, and the snapshots that cannot",
        "be read dropped (no data file is deleted). The days committed after that snapshot are lost and",
        "named: process them again. When no metadata can be read at all, it is set aside and the table",
        "rebuilt from the raw files (a crawl of the CDR buckets, then 'cdr etl --full --force' onto a",
        "fresh table). Run it while no ETL runs (stop the service)."
      })
  static final class Repair implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      ctx.catalog(); // the catalog database exists and is migrated before Iceberg's tables join it
      TableRepair.Outcome o =
          TableRepair.repair(
              ctx.config().table(),
              ctx.config().catalogUrl(),
              ctx.config().database(),
              ctx.warehouseStore());
      for (String d : o.damage().subList(0, Math.min(5, o.damage().size()))) {
        ctx.out.println("found: " + d);
      }
      if (o.damage().size() > 5) {
        ctx.out.printf(
            "found: %d more damaged or missing files (cdr -v table repair logs them)%n",
            o.damage().size() - 5);
      }
      o.setAsideTo()
          .ifPresent(
              f ->
                  ctx.out.println(
                      "set aside the metadata files that cannot be read in "
                          + IcebergTable.display(f)));
      if (o.action() == TableRepair.Action.SET_ASIDE) {
        return rebuild(ctx);
      }
      if (o.action() == TableRepair.Action.NONE) {
        ctx.out.printf(
            "the table is readable: nothing to repair (current snapshot %s)%n",
            o.snapshot().map(TableCommand::describe).orElse("none: no commit yet"));
      } else {
        if (o.registered()) {
          ctx.out.println(
              "registered "
                  + IcebergTable.display(o.metadataFile().orElseThrow())
                  + " with the catalog again");
        }
        ctx.out.println(
            "the table is now at "
                + o.snapshot().map(s -> "snapshot " + describe(s)).orElse("no snapshot (empty)"));
        if (!o.droppedSnapshots().isEmpty()) {
          ctx.out.printf(
              "dropped %d snapshots that cannot be read or came after it%s%n",
              o.droppedSnapshots().size(),
              days(o.droppedSnapshots().stream()
                      .map(IcebergTable.SnapshotInfo::day)
                      .flatMap(Optional::stream)
                      .toList())
                  .map(d -> " (commits of " + d + ")")
                  .orElse(""));
        }
      }
      ProcessedTable.Reconciled r = ctx.processedTable().reconcile();
      if (!r.unrecordedBefore().isEmpty()) {
        ctx.out.printf(
            "the catalog had no record of %d days the table holds: recorded them from the table; what the "
                + "catalog held besides (ETL runs, workflow executions, quarantine records) is not recovered, and the next "
                + "'cdr etl --full' processes these days again (run 'cdr crawl raw' first)%n",
            r.unrecordedBefore().size());
      }
      if (r.lost().isEmpty()) {
        ctx.out.println(
            o.action() == TableRepair.Action.NONE
                ? "no day is lost"
                : "no day is lost: every day is as the catalog recorded it");
      } else {
        ctx.out.printf(
            "lost: the last commit of %s; process %s again: %s%n",
            days(r.lost()).orElseThrow(),
            r.lost().size() == 1 ? "it" : "them",
            r.lost().size() <= 5
                ? r.lost().stream()
                    .map(d -> "cdr etl --date " + d)
                    .collect(Collectors.joining("; "))
                : "cdr etl --full (it processes every day it cannot skip, these among them)");
      }
      return 0;
    }

    /**
     * Nothing of the table can be read: a fresh table, filled from the raw files as 'cdr etl --full
     * --force' does.
     */
    private static Integer rebuild(AppContext ctx) throws Exception {
      ctx.out.println(
          "no metadata of the table can be read: rebuilding it from the raw files onto a fresh table "
              + "(cdr crawl raw --everything, then cdr etl --full --force)");
      List<LocalDate> forgotten =
          ctx.catalog().processedDays().stream()
              .map(io.cdrpipeline.catalog.ProcessedDay::day)
              .toList();
      ctx.catalog().forgetDays(forgotten);
      ctx.processedTable(); // a new, empty table
      io.cdrpipeline.crawl.Crawler crawler = ctx.crawler(ctx.err::println);
      for (io.cdrpipeline.etl.RawSource s : ctx.rawSources()) {
        CrawlCommand.print(
            ctx.out, crawler.crawlRaw(s.store(), s.name(), true), s.store().location().display());
      }
      io.cdrpipeline.etl.EtlSummary summary;
      if (ctx.config().engine() == io.cdrpipeline.config.Config.Engine.SPARK) {
        SparkProgressLine progress = new SparkProgressLine(ctx.err, ConsoleProgress.isTerminal());
        try {
          summary =
              ctx.sparkEtl()
                  .run(
                      new SparkJob.Request(
                          Optional.empty(), true, ctx.config().fullWorkers(), Optional.empty()),
                      SparkEtl.NO_CHECKPOINT,
                      progress);
        } finally {
          progress.end();
        }
      } else {
        summary =
            ctx.etl(new ConsoleProgress(ctx.err, ConsoleProgress.isTerminal()))
                .runFull(ctx.config().fullWorkers(), true);
      }
      EtlCommand.print(ctx, summary);
      ctx.out.printf("rebuilt the table from the raw files: %d days%n", summary.daysProcessed());
      return 0;
    }
  }

  private static String describe(IcebergTable.SnapshotInfo s) {
    return s.snapshotId()
        + " of "
        + TIME.format(s.at())
        + " UTC"
        + s.day().map(d -> " (commit of " + d + ")").orElse("");
  }

  /**
   * Days as a short list: {@code 2026-11-04, 2026-11-05} or {@code 2026-11-01 to 2026-11-30 (30
   * days)}.
   */
  private static Optional<String> days(List<LocalDate> days) {
    List<LocalDate> sorted = days.stream().distinct().sorted().toList();
    if (sorted.isEmpty()) {
      return Optional.empty();
    }
    if (sorted.size() <= 5) {
      return Optional.of(sorted.stream().map(Object::toString).collect(Collectors.joining(", ")));
    }
    return Optional.of(
        sorted.get(0) + " to " + sorted.get(sorted.size() - 1) + " (" + sorted.size() + " days)");
  }
}
