package io.cdrpipeline.app.cli;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.ConsoleProgress;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.workflow.AlreadyRunningException;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Workflows;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Start a workflow execution and follow it to the end (the Step Functions of the original).",
      "Each step is printed as it runs; the exit code is 0 only if the execution SUCCEEDED, and its",
      "output (with a report's download link) is printed at the end. A workflow with the same input",
      "that is already running is not started twice: you are told which execution is running.",
      "Ctrl-C (or SIGTERM) ends the execution ABORTED and says so; the same input can then run again."
    },
    subcommands = {StartCommand.Daily.class, StartCommand.Full.class, StartCommand.Report.class})
public final class StartCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "say which workflow: 'cdr start daily', 'cdr start full' or 'cdr start report'");
  }

  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  @Command(
      name = "daily",
      mixinStandardHelpOptions = true,
      description =
          "Crawl new raw folders, run the ETL for one day, crawl the processed table, notify.")
  static final class Daily implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--date",
        paramLabel = "YYYY-MM-DD",
        description = "The day (default: yesterday, UTC).")
    String date;

    @Option(
        names = "--input",
        paramLabel = "JSON",
        description =
            "The input as the original takes it, e.g. "
                + "'{\"Date\":\"2026-11-27\"}'; with \"Force\": true a day that shrank beyond etl.maxShrink is replaced.")
    String input;

    @Option(
        names = "--async",
        description = "Print the execution id and return; the execution runs in the background.")
    boolean async;

    @Override
    public Integer call() throws Exception {
      if (date != null) {
        Commands.date("--date", date);
      }
      return launch(Commands.context(spec), Workflows.DAILY, input(input, "Date", date), async);
    }
  }

  @Command(
      name = "full",
      mixinStandardHelpOptions = true,
      description =
          "Crawl everything (the additional bucket if configured), run the ETL for every day, crawl the processed table, notify.")
  static final class Full implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--input",
        paramLabel = "JSON",
        description =
            "The input as the original takes it: '{}', or "
                + "'{\"Force\":true}' to replace days that shrank beyond etl.maxShrink (and redo unchanged ones, as etl --full --force).")
    String input;

    @Option(
        names = "--async",
        description = "Print the execution id and return; the execution runs in the background.")
    boolean async;

    @Override
    public Integer call() throws Exception {
      return launch(Commands.context(spec), Workflows.FULL, input(input, null, null), async);
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description =
          "Write the monthly report (npanxx.csv, summary.csv), make an expiring download link, notify.")
  static final class Report implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--month",
        paramLabel = "YYYY-MM",
        description = "The month (default: the previous calendar month, UTC).")
    String month;

    @Option(
        names = "--input",
        paramLabel = "JSON",
        description = "The input as the original takes it, e.g. '{\"Month\":\"2026-10\"}'.")
    String input;

    @Option(
        names = "--async",
        description = "Print the execution id and return; the execution runs in the background.")
    boolean async;

    @Override
    public Integer call() throws Exception {
      if (month != null) {
        Commands.month("--month", month);
      }
      return launch(Commands.context(spec), Workflows.REPORT, input(input, "Month", month), async);
    }
  }

  /**
   * Strict about what a user types: a second value for a key, or text after the object, is a
   * mistake.
   */
  private static final ObjectMapper INPUT_JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** Why this process ends an execution it runs when it gets SIGINT or SIGTERM. */
  static final String INTERRUPTED = "interrupted (Ctrl-C or SIGTERM)";

  /**
   * The input: the JSON given with --input, with the field of the option (if given) set. The
   * workflow then refuses keys it does not take.
   */
  static ObjectNode input(String json, String field, String value) {
    ObjectNode in = Workflows.input(field, null);
    String example = field == null ? "'{}'" : "'{\"" + field + "\":\"...\"}'";
    if (json != null) {
      try {
        com.fasterxml.jackson.databind.JsonNode n = INPUT_JSON.readTree(json);
        if (!(n instanceof ObjectNode o)) {
          throw new UserException("--input: expected a JSON object, e.g. " + example);
        }
        in = o;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new UserException(
            "--input: not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
      }
    }
    if (value != null) {
      in.put(field, value);
    }
    return in;
  }

  static int launch(AppContext ctx, String workflow, ObjectNode input, boolean async)
      throws IOException {
    if (!async) {
      ctx.showWorkflowProgress(new ConsoleProgress(ctx.err, ConsoleProgress.isTerminal()));
    }
    Executor executor = ctx.executor();
    if (async) {
      Execution e;
      try {
        e = executor.start(workflow, input, "cli", false);
      } catch (AlreadyRunningException already) {
        return alreadyRunning(ctx, executor, already);
      }
      BackgroundRunner.spawn(ctx, e.id());
      ctx.out.println(e.id());
      return 0;
    }
    try (InterruptGuard guard = new InterruptGuard(ctx, executor)) {
      Execution e;
      try {
        e = guard.begin(() -> executor.start(workflow, input, "cli", true));
      } catch (AlreadyRunningException already) {
        return alreadyRunning(ctx, executor, already);
      }
      ctx.out.printf("started %s %s%n", e.id(), e.input());
      Execution end = executor.run(e.id(), ev -> print(ctx, ev));
      return finish(ctx, end);
    }
  }

  /** Says which execution runs the same input and, when nobody runs it any more, what ends it. */
  private static int alreadyRunning(
      AppContext ctx, Executor executor, AlreadyRunningException already) {
    String id = already.executionId();
    boolean orphaned = executor.store().get(id).map(executor::isOrphaned).orElse(false);
    ctx.err.println(
        "error: "
            + already.getMessage()
            + (orphaned
                ? "; its process is gone (killed): 'cdr serve' resumes it, "
                    + "'cdr executions stop "
                    + id
                    + "' ends it"
                : ""));
    return Commands.FAILED;
  }

  /**
   * Ends the execution this command runs in the foreground when the process gets SIGINT (Ctrl-C) or
   * SIGTERM, instead of leaving it RUNNING with nobody to run it (which would refuse the same input
   * until a service or a stop ended it): it ends ABORTED, and the command says so before the
   * process exits.
   */
  static final class InterruptGuard implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final AppContext ctx;
    private final Executor executor;
    private final Thread hook;
    private final CountDownLatch reported = new CountDownLatch(1);
    private String id;

    InterruptGuard(AppContext ctx, Executor executor) {
      this.ctx = Objects.requireNonNull(ctx, "ctx is null");
      this.executor = Objects.requireNonNull(executor, "executor is null");
      this.hook = new Thread(this::interrupted, "cdr-interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts (or claims) the execution to guard; a signal in the middle waits for it. Null: nothing
     * to guard.
     */
    synchronized Execution begin(Supplier<Execution> start) {
      Execution e = start.get();
      if (e != null) {
        id = e.id();
      }
      return e;
    }

    private void interrupted() {
      String running;
      synchronized (this) {
        running = id;
      }
      if (running == null) {
        return;
      }
      Execution now;
      try {
        now = executor.interrupt(running, INTERRUPTED, WAIT);
      } catch (RuntimeException e) {
        ctx.err.println(
            "interrupted: could not end execution "
                + running
                + " ("
                + e.getMessage()
                + "); it stays RUNNING "
                + "until 'cdr serve' resumes it or 'cdr executions stop "
                + running
                + "' ends it");
        ctx.err.flush();
        return;
      }
      try {
        reported.await(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the command prints how it ended
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (now.status() == ExecutionStatus.ABORTED) {
        ctx.err.println(
            "interrupted: execution "
                + running
                + " is ABORTED, nothing of it is left running; "
                + "run the command again to redo it");
      } else if (now.status() == ExecutionStatus.RUNNING) {
        ctx.err.println(
            "interrupted: execution "
                + running
                + " could not be ended in "
                + WAIT.toSeconds()
                + " s; it stays "
                + "RUNNING until 'cdr serve' resumes it or 'cdr executions stop "
                + running
                + "' ends it");
      } else {
        ctx.err.println("interrupted: execution " + running + " had already ended " + now.status());
      }
      ctx.err.flush();
    }

    @Override
    public void close() {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: it reports
      }
    }
  }

  static int finish(AppContext ctx, Execution end) throws IOException {
    if (end.status() == ExecutionStatus.RUNNING) {
      // it lost its lease (frozen, cut off from the catalog) and another process runs it now
      ctx.out.printf(
          "%s is run by %s now: this process stopped running it%n",
          end.id(), end.owner().orElse("the next process that claims it"));
      return Commands.FAILED;
    }
    ctx.out.printf("%s %s%s%n", end.id(), end.status(), end.error().map(x -> ": " + x).orElse(""));
    if (end.output().isPresent()) {
      ctx.out.println(
          new ObjectMapper()
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(end.output().get()));
      if (end.output().get().hasNonNull("link")) {
        String link = end.output().get().get("link").asText();
        ctx.out.println("download link: " + link);
        String server = ctx.config().server().baseUrl();
        if (link.startsWith(server + "/")) {
          // a signed link of the product's own server, not an S3 presigned URL: nothing answers it
          // without the service
          ctx.out.println(
              "  (served by 'cdr serve' or 'cdr launch' at "
                  + server
                  + ": the link works only while the service runs, until it expires)");
        }
      }
    }
    return end.status() == ExecutionStatus.SUCCEEDED ? 0 : Commands.FAILED;
  }

  static void print(AppContext ctx, ExecutionEvent ev) {
    String what;
    switch (ev.type()) {
      case STEP_STARTED:
        what = "step " + ev.step().orElse("") + " started";
        break;
      case STEP_SUCCEEDED:
        what =
            "step "
                + ev.step().orElse("")
                + " succeeded"
                + ev.detail().map(d -> ": " + d).orElse("");
        break;
      case STEP_RETRIED:
        what = "step " + ev.step().orElse("") + " retried: " + ev.detail().orElse("");
        break;
      case STEP_FAILED:
        what = "step " + ev.step().orElse("") + " FAILED: " + ev.detail().orElse("");
        break;
      default:
        what =
            ev.type().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + ev.step().map(s -> " (" + s + ")").orElse("")
                + ev.detail().map(d -> ": " + d).orElse("");
    }
    ctx.out.println(TIME.format(ev.at()) + "  " + what);
    ctx.out.flush();
  }
}
