package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.app.web.ReportServer;
import io.cdrpipeline.app.web.WebConsole;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.schedule.ScheduleRunner;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.Executor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the service: schedules, resumed executions, backfill, report download links, the JSON API and the web console.",
      "It fires the schedules (EventBridge cron/rate syntax), resumes executions that a crash or kill",
      "interrupted, backfills days of the last backfillDays (default 7) that have raw data but are not committed",
      "from it (one summary notification for them all), and serves signed",
      "report download links, the JSON API (/api/...), /metrics and the web console (/) over HTTP. Stops on Ctrl-C or SIGTERM, handing the executions it runs over",
      "to the next 'cdr serve', which resumes them at once at their unfinished step."
    })
public final class ServeCommand implements Callable<Integer> {
  private static final Duration HAND_OVER_WAIT = Duration.ofSeconds(20);

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Listen address (default: server.host of the config).")
  public String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Listen port, 0 for any (default: server.port of the config).")
  public Integer port;

  @Option(
      names = "--no-schedules",
      description = "Do not fire schedules or backfill; only resume executions and serve links.")
  boolean noSchedules;

  @Override
  public Integer call() throws Exception {
    return serve(Commands.context(spec));
  }

  /**
   * Runs the service until the process is told to stop; {@code cdr launch} runs it this way too.
   */
  public Integer serve(AppContext ctx) throws Exception {
    if (port != null && (port < 0 || port > 65535)) {
      throw new UserException("--port: " + port + " is not a port (0 to 65535)");
    }
    WebConsole.checkListen(ctx.config(), host, port); // before the catalog is opened, or made
    Executor executor = ctx.executor();
    Clock clock = Clock.systemUTC();
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    ExecutorService runners = Executors.newFixedThreadPool(2, daemon("execution-runner"));
    ScheduledExecutorService sweeper =
        Executors.newSingleThreadScheduledExecutor(daemon("orphan-sweeper"));
    String h = host != null ? host : ctx.config().server().host();
    int p = port != null ? port : ctx.config().server().port();
    ScheduleRunner schedules = null;
    io.cdrpipeline.watch.WatchLoop watch = null;
    try (ReportServer server =
        WebConsole.server(ctx, executor, clock, line -> say(ctx, line)).start(h, p)) {
      String at = "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + server.port();
      say(
          ctx,
          "serving the console and the API on "
              + at
              + "/ ("
              + (ctx.config().server().token().isPresent()
                  ? "token required"
                  : "no token: loopback only")
              + "), report links point at "
              + ctx.config().server().baseUrl());
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    stop.countDown();
                    try {
                      stopped.await(
                          HAND_OVER_WAIT.toSeconds() + 10,
                          TimeUnit.SECONDS); // the JVM ends when this returns
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  },
                  "cdr-serve-shutdown"));
      sweeper.scheduleWithFixedDelay(
          () -> resumeOrphans(ctx, executor, runners), 0, 15, TimeUnit.SECONDS);
      if (!noSchedules && !ctx.config().schedules().isEmpty()) {
        List<ScheduleRunner.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, ScheduleExpression> e : ctx.config().schedules().entrySet()) {
          entries.add(new ScheduleRunner.Entry(e.getKey(), e.getValue()));
        }
        ScheduleRunner runner =
            new ScheduleRunner(executor, entries, clock, ctx.database(), line -> say(ctx, line));
        schedules = runner;
        Thread starter =
            new Thread(
                () -> {
                  try {
                    runner.start();
                    if (ctx.config().backfill() && ctx.config().schedules().containsKey("daily")) {
                      runner.backfill(
                          ctx.config().backfillDays(),
                          new ScheduleRunner.BackfillDays() {
                            private io.cdrpipeline.etl.EtlJob etl;

                            @Override
                            public List<LocalDate> withRawData() {
                              return daysWithRawData(ctx);
                            }

                            @Override
                            public boolean upToDate(LocalDate day) throws IOException {
                              if (etl == null) {
                                etl =
                                    ctx.etl(
                                        io.cdrpipeline.etl.EtlListener
                                            .NONE); // opens the table only when a day is asked
                                // about
                              }
                              return etl.upToDate(day);
                            }
                          });
                    }
                  } catch (Exception e) {
                    say(ctx, "error: the scheduler did not start: " + e.getMessage());
                  }
                },
                "schedule-start");
        starter.setDaemon(true);
        starter.start();
      } else {
        say(ctx, "schedules off");
      }
      if (ctx.config().watch().enabled()) {
        say(ctx, "watch: every " + Commands.duration(ctx.config().watch().interval()));
        try {
          watch =
              WatchCommand.background(
                  ctx,
                  WatchCommand.alarmsAfterEachBatch(ctx, line -> say(ctx, "watch: " + line)),
                  line -> say(ctx, "watch: " + line));
        } catch (IOException | RuntimeException e) {
          say(ctx, "error: the watch did not start: " + e.getMessage());
        }
      }
      stop.await();
      say(ctx, "stopping");
    } finally {
      if (watch != null) {
        watch.close();
      }
      sweeper.shutdownNow();
      try {
        // give up what runs here rather than abort it or leave it to a lease: the next service
        // resumes it at once
        for (String id : executor.handOverAll("the service stopped", HAND_OVER_WAIT)) {
          Execution e = ctx.executions().get(id).orElseThrow();
          say(
              ctx,
              e.status() == ExecutionStatus.RUNNING && e.owner().isEmpty()
                  ? "handed over "
                      + id
                      + ": the next 'cdr serve' resumes it at step "
                      + executor.workflow(e.workflow()).steps().get(e.nextStep()).name()
                  : id + " " + e.status());
        }
      } catch (RuntimeException ex) {
        say(ctx, "could not hand over the running executions: " + ex.getMessage());
      }
      if (schedules != null) {
        schedules.close();
      }
      runners.shutdownNow();
      stopped.countDown();
    }
    return 0;
  }

  private static List<LocalDate> daysWithRawData(AppContext ctx) {
    try {
      ctx.crawler(s -> {}).crawlRaw(ctx.cdrStore(), ProcessedSchema.SOURCE_CDR, false);
    } catch (Exception e) {
      say(ctx, "backfill: cannot crawl the CDR bucket: " + e.getMessage());
    }
    TreeSet<LocalDate> days = new TreeSet<>();
    for (Partition part :
        ctx.catalog().partitions(ProcessedSchema.RAW_TABLE, ProcessedSchema.SOURCE_CDR)) {
      days.add(part.date());
    }
    return new ArrayList<>(days);
  }

  private static void resumeOrphans(AppContext ctx, Executor executor, ExecutorService runners) {
    try {
      for (Execution e : executor.orphans()) {
        if (executor.claim(e)) {
          say(ctx, "resuming " + e.id() + " at step " + e.nextStep());
          runners.submit(
              () -> {
                Execution end = executor.run(e.id(), null);
                if (end.status() != ExecutionStatus.RUNNING) {
                  say(
                      ctx,
                      end.id()
                          + " "
                          + end.status()
                          + end.error().map(x -> " (" + x + ")").orElse(""));
                }
              });
        }
      }
    } catch (RuntimeException ex) {
      say(ctx, "cannot resume executions: " + ex.getMessage());
    }
  }

  private static synchronized void say(AppContext ctx, String line) {
    if (ctx.serviceLog != null) {
      ctx.serviceLog.accept(line);
      return;
    }
    ctx.out.println(Instant.now().toString().substring(0, 19).replace('T', ' ') + "  " + line);
    ctx.out.flush();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
