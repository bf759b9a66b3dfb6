package io.cdrpipeline.app;

import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "table", mixinStandardHelpOptions = true,
    description = {
      "The processed table, an Apache Iceberg table: its snapshots, and its upkeep."},
    subcommands = {TableCommand.History.class, TableCommand.Maintain.class})
final class TableCommand implements Runnable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: 'cdr table history' or 'cdr table maintain'");
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
