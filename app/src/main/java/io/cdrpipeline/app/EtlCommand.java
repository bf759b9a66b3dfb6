package io.cdrpipeline.app;

import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.etl.DaySummary;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlException;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.ObjectStore;
import java.io.IOException;
import java.nio.file.FileSystemException;
import io.cdrpipeline.etl.EtlSummary;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "etl", mixinStandardHelpOptions = true,
    description = {
      "Turn raw CDR files into the Parquet table processed_cdrs (the Glue ETL job).",
      "--date D processes exactly that day (default: yesterday, UTC), listing only its folders.",
      "--full processes every crawled day, skipping days whose raw files are unchanged since they",
      "were processed (so a stopped run resumes); --force redoes them.",
      "A day is replaced atomically: re-runs never duplicate rows, and a crash leaves the previous",
      "version of the day in place. Bad files are quarantined and counted, never fatal.",
      "A --date without any raw file is not processed: a warning, nothing recorded, exit code 1",
      "(0 with --allow-empty).",
      "With 'engine: spark' in the config the run is an application on Apache Spark (the spark: block),",
      "its state shown while it runs; Ctrl-C stops it."})
final class EtlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true)
  Which which = new Which();

  static final class Which {
    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Process this day (default: yesterday, UTC).")
    String date;

    @Option(names = "--full", description = "Process every crawled day.")
    boolean full;
  }

  @Option(names = "--force", description = "With --full: reprocess days even if their raw files are unchanged.")
  boolean force;

  @Option(names = "--allow-empty", description = "With --date: a day without raw files is not an error (still nothing is recorded).")
  boolean allowEmpty;

  @Option(names = "--workers", paramLabel = "N",
      description = "Parallel readers (default: dailyWorkers of the config for a day, fullWorkers for --full).")
  Integer workers;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    if (force && !which.full) {
      throw new CdrCommand.UserException("--force only applies to --full (a single --date is always reprocessed)");
    }
    if (workers != null && (workers < 1 || workers > 1024)) {
      throw new CdrCommand.UserException("--workers must be between 1 and 1024");
    }
    if (allowEmpty && which.full) {
      throw new CdrCommand.UserException("--allow-empty only applies to a single day (--date)");
    }
    LocalDate day = which.full ? null : which.date == null ? Commands.yesterdayUtc() : Commands.date("--date", which.date);
    if (day != null && !hasRawFiles(ctx, day)) {
      // a typo in the date, or a bucket that is not the one meant: recording an empty day would hide it
      ctx.err.printf("warning: no raw CDR files for %s in %s: nothing processed, nothing recorded%s%n", day,
          ctx.rawSources().stream().map(s -> s.store().location().display()).collect(Collectors.joining(" or ")),
          allowEmpty ? "" : " (--allow-empty to make this not an error)");
      return allowEmpty ? 0 : CdrCommand.FAILED;
    }
    if (ctx.config().engine() == io.cdrpipeline.config.Config.Engine.SPARK) {
      return onSpark(ctx, day);
    }
    EtlJob etl = ctx.etl(new ConsoleProgress(ctx.err, ConsoleProgress.isTerminal()));
    EtlSummary summary = which.full
        ? etl.runFull(workers != null ? workers : ctx.config().fullWorkers(), force)
        : etl.runDay(day, workers != null ? workers : ctx.config().dailyWorkers());
    print(ctx, summary);
    return 0;
  }

  /**
   * The run as an application on Apache Spark: a line for each of its states (one line kept up
   * to date on a terminal), then the same summary as the embedded engine's. Ctrl-C or SIGTERM
   * stops the application before the command ends.
   */
  private Integer onSpark(AppContext ctx, LocalDate day) throws Exception {
    SparkEtl spark = ctx.sparkEtl();
    int n = workers != null ? workers : which.full ? ctx.config().fullWorkers() : ctx.config().dailyWorkers();
    SparkJob.Request r = new SparkJob.Request(Optional.ofNullable(day), force, n, Optional.empty());
    Thread main = Thread.currentThread();
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    Thread stopper = new Thread(() -> {
      main.interrupt(); // the run stops the application, then counts down
      try {
        done.await(SparkEtl.STOP_GRACE.multipliedBy(3).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException ignored) {
        // the JVM is going away anyway
      }
    }, "stop-spark-application");
    Runtime.getRuntime().addShutdownHook(stopper);
    SparkProgressLine progress = new SparkProgressLine(ctx.err, ConsoleProgress.isTerminal());
    EtlSummary summary;
    try {
      summary = spark.run(r, SparkEtl.NO_CHECKPOINT, progress);
    } catch (InterruptedException e) {
      progress.end();
      ctx.err.println("interrupted: the Spark application was stopped");
      return 130;
    } finally {
      progress.end();
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it was waiting for this
      }
    }
    print(ctx, summary);
    return 0;
  }

  /** True as soon as one raw file of the day is seen, in any bucket and voice connector. */
  private static boolean hasRawFiles(AppContext ctx, LocalDate day) throws IOException {
    for (RawSource source : ctx.rawSources()) {
      ObjectStore store = source.store();
      try {
        store.checkReadable();
      } catch (IOException e) {
        String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        throw new EtlException("cannot read CDR bucket " + store.location().display() + ": " + why, e);
      }
      for (String vc : store.listFolders(RawLayout.ROOT)) {
        try {
          store.listKeys(RawLayout.dayPrefix(vc, day), key -> {
            if (!store.isFolder(key)) {
              throw new Found();
            }
          });
        } catch (Found found) {
          return true;
        }
      }
    }
    return false;
  }

  /** Ends a listing at its first file. */
  private static final class Found extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Found() {
      super(null, null, false, false);
    }
  }

  static void print(AppContext ctx, EtlSummary summary) {
    PrintStream out = ctx.out;
    if (summary.days().isEmpty()) {
      out.println("no days to process: run 'cdr crawl raw' first, or give --date");
      return;
    }
    for (DaySummary d : summary.days()) {
      if (d.skipped()) {
        out.printf("%s: skipped, raw files unchanged since last processed (--force to redo)%n", d.day());
        continue;
      }
      out.printf("%s: %,d files read, %,d rows written, %,d rejected, %s read, %.2f s, %,.0f files/s%s%n",
          d.day(), d.filesRead(), d.rowsWritten(), d.rejected(), Commands.bytes(d.bytesRead()),
          d.elapsed().toMillis() / 1000.0, d.filesPerSecond(), d.outputLocation() == null ? "" : " -> " + d.outputLocation());
      if (d.rejected() > 0) {
        List<QuarantinedFile> q = ctx.catalog().quarantine(Optional.of(d.day()));
        int shown = 0;
        for (QuarantinedFile f : q) {
          if (shown++ == 10) {
            out.printf("    ... and %d more: cdr query \"SELECT * FROM quarantined_cdrs\"%n", q.size() - 10);
            break;
          }
          out.printf("    rejected %s: %s%n", f.sourceKey(), f.reason());
        }
      }
    }
    if (summary.days().size() > 1) {
      out.printf("total: %d %s processed, %d skipped, %,d files read, %,d rows written, %,d rejected, %s read, %.2f s, %,.0f files/s%n",
          summary.daysProcessed(), summary.daysProcessed() == 1 ? "day" : "days", summary.daysSkipped(),
          summary.filesRead(), summary.rowsWritten(), summary.rejected(), Commands.bytes(summary.bytesRead()), summary.elapsed().toMillis() / 1000.0,
          summary.filesPerSecond());
    }
  }
}
