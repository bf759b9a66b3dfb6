package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.config.ConfigException;
import io.cdrpipeline.config.WatchSettings;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.watch.WatchBatch;
import io.cdrpipeline.watch.WatchJob;
import io.cdrpipeline.watch.WatchListener;
import io.cdrpipeline.watch.WatchLoop;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Make today's calls queryable minutes after their files land: every interval, take the raw",
      "files of today (and of yesterday until the daily ETL has replaced it) that the table does not",
      "hold yet, normalize them by the ETL's rules, quarantine the bad ones, and append them to their",
      "day as one small Iceberg commit. The daily ETL later replaces the day whole, as always.",
      "Each poll lists the watched days' folders and reads only the new files; a poll that finds",
      "nothing reads and writes nothing. Killed at any point, the next poll counts each call once.",
      "One line per poll. Runs until Ctrl-C or SIGTERM (the poll under way finishes first), or",
      "polls once with --once. 'cdr serve' runs it in the background with 'watch: {enabled: true}'."
    })
public final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      description =
          "Time between the starts of two polls, e.g. 5m, 90s, 1h; 1s to 1d "
              + "(default: watch.interval of the config, 5m).")
  String interval;

  @Option(names = "--once", description = "Poll once and exit (for a cron job or a test).")
  boolean once;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Parallel readers of new files (default: dailyWorkers of the config).")
  Integer workers;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    Duration every = ctx.config().watch().interval();
    if (interval != null) {
      try {
        every = WatchSettings.interval("--interval", interval);
      } catch (ConfigException e) {
        throw new UserException(e.getMessage().replace("bad value for '--interval'", "--interval"));
      }
    }
    if (workers != null && workers < 1) {
      throw new UserException("--workers: must be at least 1, got " + workers);
    }
    Consumer<String> say = line -> say(ctx, line);
    WatchJob job = job(ctx, workers, alarmsAfterEachBatch(ctx, say), say);
    if (once) {
      Optional<WatchBatch> b = job.poll();
      b.ifPresent(x -> say.accept(x.describe()));
      return 0;
    }
    say.accept("watching every " + Commands.duration(every) + " (Ctrl-C to stop)");
    WatchLoop loop = new WatchLoop(job, every, say);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              loop.close();
              try {
                done.await(5, TimeUnit.MINUTES); // the poll under way ends before the JVM does
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "cdr-watch-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      loop.run();
    } finally {
      done.countDown();
    }
    return 0;
  }

  /**
   * The listener that evaluates the configured alarms over the days each committed batch appended
   * to, as the daily workflow does after its ETL, with one line per alarm that fired or resolved
   * (their subscribers are told by the alarms themselves). Nothing when no alarm is configured; an
   * alarm that cannot be evaluated is one line and does not stop the watch.
   */
  public static WatchListener alarmsAfterEachBatch(AppContext ctx, Consumer<String> say) {
    if (ctx.config().alarms().isEmpty()) {
      return WatchListener.NONE;
    }
    return (days, batch) -> {
      for (io.cdrpipeline.alarm.Alarms.Outcome o : ctx.alarms().evaluate(days)) {
        if (o.error().isPresent()) {
          say.accept("alarm " + o.alarm() + ": not evaluated: " + o.error().get());
        } else if (o.change() == io.cdrpipeline.alarm.AlarmStore.Change.FIRED) {
          say.accept("alarm " + o.alarm() + " (" + o.rule() + ") fired");
        } else if (o.change() == io.cdrpipeline.alarm.AlarmStore.Change.RESOLVED) {
          say.accept("alarm " + o.alarm() + " (" + o.rule() + ") resolved");
        }
      }
    };
  }

  /**
   * The watch of the deployment: the CDR buckets, the processed table and the catalog of the
   * context, normalizing on the embedded engine; {@code listener} hears each committed batch.
   */
  public static WatchJob job(
      AppContext ctx, Integer workers, WatchListener listener, Consumer<String> log)
      throws IOException {
    return job(ctx, ctx.processedTable(), workers, listener, log);
  }

  private static WatchJob job(
      AppContext ctx,
      ProcessedTable table,
      Integer workers,
      WatchListener listener,
      Consumer<String> log)
      throws IOException {
    EtlJob.checkReadable(ctx.rawSources());
    return new WatchJob(
        ctx.catalog(),
        ctx.rawSources(),
        table,
        ctx.config().etlMemoryLimit(),
        ctx.tempDir(),
        workers != null ? workers : ctx.config().dailyWorkers(),
        Clock.systemUTC(),
        listener,
        log);
  }

  /**
   * Starts the watch on a daemon thread, as {@code cdr serve} does with {@code watch.enabled}, on
   * its own handle of the table (the service's other work uses the context's); closing the returned
   * loop stops it after the poll under way.
   */
  public static WatchLoop background(AppContext ctx, WatchListener listener, Consumer<String> say)
      throws IOException {
    ctx.catalog(); // migrated before Iceberg's tables join it
    ProcessedTable own =
        new ProcessedTable(
            IcebergTable.open(
                ctx.config().table(),
                ctx.config().catalogUrl(),
                ctx.config().database(),
                ctx.warehouseStore()),
            ctx.catalog());
    WatchLoop loop;
    try {
      loop =
          new WatchLoop(job(ctx, own, null, listener, say), ctx.config().watch().interval(), say);
    } catch (IOException | RuntimeException e) {
      own.close();
      throw e;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                loop.run();
              } finally {
                own.close();
              }
            },
            "cdr-watch");
    t.setDaemon(true);
    t.start();
    return loop;
  }

  private static synchronized void say(AppContext ctx, String line) {
    ctx.out.println(Instant.now().toString().substring(0, 19).replace('T', ' ') + "  " + line);
    ctx.out.flush();
  }
}
