package io.cdrpipeline.app;

import io.cdrpipeline.model.Dates;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "table", mixinStandardHelpOptions = true,
    description = {
      "The processed table, an Apache Iceberg table: its snapshots, its upkeep, and dropping a day."},
    subcommands = {TableCommand.History.class, TableCommand.Maintain.class, TableCommand.DropDay.class})
final class TableCommand implements Runnable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: 'cdr table history', 'cdr table maintain' or 'cdr table drop-day'");
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = {
        "List the table's snapshots, oldest first: time (UTC), operation, the day it replaced,",
        "rows added and removed, and which one is current."})
  static final class History implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "Show the newest N (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new CdrCommand.UserException("--limit must be at least 1, got " + limit);
      }
      AppContext ctx = Commands.context(spec);
      IcebergTable t = ctx.processedTable().iceberg().refresh();
      List<IcebergTable.SnapshotInfo> all = t.history();
      ctx.out.printf("table %s at %s: %d snapshots kept%n", t.identifier(), t.location(), all.size());
      ctx.out.printf("  %-19s %-9s %-10s %10s %10s  %s%n", "time", "operation", "day", "rows +", "rows -", "snapshot");
      for (IcebergTable.SnapshotInfo s : all.subList(Math.max(0, all.size() - limit), all.size())) {
        ctx.out.printf("  %-19s %-9s %-10s %,10d %,10d  %d%s%n", TIME.format(s.at()), s.operation(),
            s.day().map(Object::toString).orElse("-"), s.rowsAdded(), s.rowsRemoved(), s.snapshotId(),
            s.current() ? " (current)" : "");
      }
      return 0;
    }
  }

  @Command(name = "drop-day", mixinStandardHelpOptions = true,
      description = {
        "Remove a day committed by mistake: one Iceberg commit that deletes the day's partition, then the",
        "catalog's bookkeeping of the day (its counts, files, quarantine records and partition). It says",
        "what the day holds and asks first (--yes skips the question; without a terminal --yes is needed).",
        "The raw files are not touched: a day that still has raw files comes back with the next run of it",
        "(cdr etl, the daily or full workflow, backfill). The dropped rows stay readable by snapshots kept",
        "for table.snapshotRetention, then 'cdr table maintain' deletes their files.",
        "--date also takes a day outside the years 2000-2099 that an older version committed",
        "(--date=-2026-11-02, +12026-11-02, 0000-01-01)."})
  static final class DropDay implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The day to drop.")
    String date;

    @Option(names = "--yes", description = "Drop without asking.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
      LocalDate day;
      try {
        day = Dates.storedDay("--date", date);
      } catch (IllegalArgumentException e) {
        throw new CdrCommand.UserException(e.getMessage());
      }
      AppContext ctx = Commands.context(spec);
      Optional<Prompts> prompts = yes ? Optional.empty() : ctx.prompts();
      if (!yes && prompts.isEmpty()) {
        throw new CdrCommand.UserException("drop-day removes data and asks first, but there is no terminal to ask on: "
            + "run it in a terminal, or add --yes");
      }
      ProcessedTable table = ctx.processedTable();
      ProcessedTable.DayContent content = table.content(day);
      if (content.isEmpty()) {
        ctx.out.printf("nothing to drop: the table has no rows of %s and the catalog no record of it%n", day);
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
      String runId = "drop-" + TIME.format(Instant.now()).replaceAll("[-: ]", "") + "-"
          + java.util.UUID.randomUUID().toString().substring(0, 8);
      Optional<ProcessedTable.DroppedDay> dropped = table.dropDay(day, runId, ctx.err::println);
      if (dropped.isEmpty()) {
        ctx.out.printf("nothing to drop: %s was dropped meanwhile%n", day);
        return 0;
      }
      ProcessedTable.DroppedDay d = dropped.get();
      ctx.out.printf("dropped %s: %s; %s%n", day, d.snapshotId().map(id -> String.format("%,d rows in %d %s removed in "
          + "one commit (snapshot %d)", d.content().rows(), d.content().files(), d.content().files() == 1 ? "file" : "files", id))
          .orElse("the table had no files of it"), "the catalog's record of the day is gone");
      if (hasRawFiles(ctx, day)) {
        ctx.out.printf("its raw files are still in the CDR bucket: the next run of %s (cdr etl, a workflow, backfill) "
            + "processes them again%n", day);
      }
      return 0;
    }

    private static String describe(ProcessedTable.DayContent c) {
      String table = String.format("%,d rows in %d %s", c.rows(), c.files(), c.files() == 1 ? "file" : "files");
      return table + c.bookkeeping().map(b -> ", committed " + TIME.format(b.processedAt()) + " UTC by run " + b.runId()
          + String.format(" from %,d raw files", b.sourceObjects())).orElse(", no record of it in the catalog");
    }

    private static boolean hasRawFiles(AppContext ctx, LocalDate day) throws java.io.IOException {
      // forced, only the rule about a day without raw files is left to refuse it
      return ctx.etl(io.cdrpipeline.etl.EtlListener.NONE).refusal(day, true).isEmpty();
    }
  }

  @Command(name = "maintain", mixinStandardHelpOptions = true,
      description = {
        "Expire snapshots replaced more than table.snapshotRetention ago (the current one stays) and",
        "delete the files only they referenced; delete orphan files (left by crashed runs) older",
        "than the retention; rewrite many small manifests into one per month. The daily workflow",
        "runs this as its last step before the notification."})
  static final class Maintain implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      AppContext ctx = Commands.context(spec);
      ProcessedTable table = ctx.processedTable();
      table.settleAll();
      IcebergTable.Maintenance m = table.iceberg().maintain(ctx.snapshotRetention(), Instant.now());
      ctx.out.printf("expired %d snapshots, deleted %d orphan files, manifests %d -> %d (retention %s)%n",
          m.snapshotsExpired(), m.orphansDeleted(), m.manifestsBefore(), m.manifestsAfter(),
          Commands.duration(ctx.snapshotRetention()));
      return 0;
    }
  }
}
