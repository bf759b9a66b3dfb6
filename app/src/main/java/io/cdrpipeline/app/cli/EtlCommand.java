package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.ConsoleProgress;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.app.spark.SparkEtl;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.app.spark.SparkProgressLine;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.etl.DayRefusedException;
import io.cdrpipeline.etl.DaySummary;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.table.DayRefusal;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "etl",
    mixinStandardHelpOptions = true,
    description = {
      "Turn raw CDR files into the Parquet table processed_cdrs (the Glue ETL job).",
      "--date D processes exactly that day (default: yesterday, UTC), listing only its folders.",
      "--full processes every crawled day, skipping days whose raw files are unchanged since they",
      "were processed (so a stopped run resumes); --force redoes them.",
      "A day is replaced atomically: re-runs never duplicate rows, and a crash leaves the previous",
      "version of the day in place. Bad files are quarantined and counted, never fatal.",
      "A --date without any raw file is not processed: a warning, nothing recorded, exit code 1",
      "(0 with --allow-empty). A day whose raw files shrank by more than etl.maxShrink (default 50%%)",
      "since its last commit is not replaced either (one line, exit code 1) unless --force; with --full",
      "such a day is kept and the others are processed, and a day whose raw files are all gone is kept.",
      "With 'engine: spark' in the config the run is an application on Apache Spark (the spark: block),",
      "or with spark.submit: glue or emr an AWS Glue job run or an EMR step; its state shown while it",
      "runs; Ctrl-C stops it."
    })
public final class EtlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true)
  Which which = new Which();

  static final class Which {
    @Option(
        names = "--date",
        paramLabel = "YYYY-MM-DD",
        description = "Process this day (default: yesterday, UTC).")
    String date;

    @Option(names = "--full", description = "Process every crawled day.")
    boolean full;
  }

  @Option(
      names = "--force",
      description =
          "Replace a day even if its raw files shrank beyond etl.maxShrink; with --full, "
              + "also reprocess days whose raw files are unchanged.")
  boolean force;

  @Option(
      names = "--allow-empty",
      description =
          "With --date: a day without raw files is not an error (still nothing is recorded).")
  boolean allowEmpty;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description =
          "Parallel readers (default: dailyWorkers of the config for a day, fullWorkers for --full).")
  Integer workers;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    if (workers != null && (workers < 1 || workers > 1024)) {
      throw new UserException("--workers must be between 1 and 1024");
    }
    if (allowEmpty && which.full) {
      throw new UserException("--allow-empty only applies to a single day (--date)");
    }
    LocalDate day =
        which.full
            ? null
            : which.date == null ? Commands.yesterdayUtc() : Commands.date("--date", which.date);
    boolean spark = ctx.config().engine() == io.cdrpipeline.config.Config.Engine.SPARK;
    EtlJob.checkReadable(
        ctx.rawSources()); // a bucket that is not there is said before the table is opened
    EtlJob etl =
        ctx.etl(
            spark
                ? io.cdrpipeline.etl.EtlListener.NONE
                : new ConsoleProgress(ctx.err, ConsoleProgress.isTerminal()));
    if (day != null) {
      // the rule every run follows (core checks it again under the day's lock), told before any
      // work starts
      Optional<DayRefusal> refusal = etl.refusal(day, force);
      if (refusal.isPresent() && refusal.get().noRawFiles()) {
        // a typo in the date, or a bucket that is not the one meant: recording an empty day would
        // hide it
        ctx.err.printf(
            "warning: %s%s%n",
            refusal.get().message(etl.where()),
            allowEmpty ? "" : " (--allow-empty to make this not an error)");
        return allowEmpty ? 0 : Commands.FAILED;
      }
      if (refusal.isPresent()) {
        etl.checkDay(day, force); // one line, exit code 1
      }
    }
    if (spark) {
      return onSpark(ctx, day);
    }
    EtlSummary summary;
    try {
      summary =
          which.full
              ? etl.runFull(workers != null ? workers : ctx.config().fullWorkers(), force)
              : etl.runDay(day, workers != null ? workers : ctx.config().dailyWorkers(), force);
    } catch (DayRefusedException refused) {
      if (which.full) {
        print(ctx, refused.summary()); // the days done, and the ones kept
      }
      throw refused;
    }
    print(ctx, summary);
    return 0;
  }

  /**
   * The run as an application on Apache Spark: a line for each of its states (one line kept up to
   * date on a terminal), then the same summary as the embedded engine's. Ctrl-C or SIGTERM stops
   * the application before the command ends.
   */
  private Integer onSpark(AppContext ctx, LocalDate day) throws Exception {
    SparkEtl spark = ctx.sparkEtl();
    int n =
        workers != null
            ? workers
            : which.full ? ctx.config().fullWorkers() : ctx.config().dailyWorkers();
    SparkJob.Request r = new SparkJob.Request(Optional.ofNullable(day), force, n, Optional.empty());
    Thread main = Thread.currentThread();
    CountDownLatch done = new CountDownLatch(1);
    Thread stopper =
        new Thread(
            () -> {
              main.interrupt(); // the run stops the application, then counts down
              try {
                done.await(SparkEtl.STOP_GRACE.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException ignored) {
                // the JVM is going away anyway
              }
            },
            "stop-spark-application");
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

  static void print(AppContext ctx, EtlSummary summary) {
    PrintStream out = ctx.out;
    if (summary.days().isEmpty()) {
      out.println("no days to process: run 'cdr crawl raw' first, or give --date");
      return;
    }
    for (DaySummary d : summary.days()) {
      if (d.refused()) {
        out.printf("%s: kept as it was: %s%n", d.day(), d.refusal());
        continue;
      }
      if (d.skipped()) {
        out.printf(
            "%s: skipped, raw files unchanged since last processed (--force to redo)%n", d.day());
        continue;
      }
      out.printf(
          "%s: %,d files read, %,d rows written, %,d rejected, %s read, %.2f s, %,.0f files/s%s%n",
          d.day(),
          d.filesRead(),
          d.rowsWritten(),
          d.rejected(),
          Commands.bytes(d.bytesRead()),
          d.elapsed().toMillis() / 1000.0,
          d.filesPerSecond(),
          d.outputLocation() == null ? "" : " -> " + d.outputLocation());
      if (d.rejected() > 0) {
        List<QuarantinedFile> q = ctx.catalog().quarantine(Optional.of(d.day()));
        int shown = 0;
        for (QuarantinedFile f : q) {
          if (shown++ == 10) {
            out.printf(
                "    ... and %d more: cdr query \"SELECT * FROM quarantined_cdrs\"%n",
                q.size() - 10);
            break;
          }
          out.printf("    rejected %s: %s%n", f.sourceKey(), f.reason());
        }
      }
    }
    if (summary.days().size() > 1) {
      out.printf(
          "total: %d %s processed, %d skipped, %,d files read, %,d rows written, %,d rejected, %s read, %.2f s, %,.0f files/s%n",
          summary.daysProcessed(),
          summary.daysProcessed() == 1 ? "day" : "days",
          summary.daysSkipped(),
          summary.filesRead(),
          summary.rowsWritten(),
          summary.rejected(),
          Commands.bytes(summary.bytesRead()),
          summary.elapsed().toMillis() / 1000.0,
          summary.filesPerSecond());
    }
  }
}
