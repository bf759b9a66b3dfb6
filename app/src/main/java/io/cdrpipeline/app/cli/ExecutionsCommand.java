package io.cdrpipeline.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.Executor;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "executions",
    mixinStandardHelpOptions = true,
    description = "List, inspect and stop workflow executions.",
    subcommands = {
      ExecutionsCommand.ListExecutions.class,
      ExecutionsCommand.Show.class,
      ExecutionsCommand.Stop.class,
      ExecutionsCommand.Run.class
    })
public final class ExecutionsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say what to do: 'cdr executions list', 'show ID' or 'stop ID'");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Executions, newest first.")
  static final class ListExecutions implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--workflow",
        paramLabel = "W",
        description = "Only this workflow: daily, full or report.")
    String workflow;

    @Option(
        names = "--status",
        paramLabel = "S",
        description = "Only this status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED.")
    String status;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "At most N (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      Optional<ExecutionStatus> st;
      try {
        st =
            Optional.ofNullable(status)
                .map(s -> ExecutionStatus.valueOf(s.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new UserException(
            "--status: unknown status '"
                + status
                + "' (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED)");
      }
      if (workflow != null) {
        ctx.executor().workflow(workflow);
      }
      List<Execution> list = ctx.executions().list(Optional.ofNullable(workflow), st, limit);
      ctx.out.printf(
          "%-44s %-8s %-10s %-24s %-20s %9s  %s%n",
          "ID", "WORKFLOW", "STATUS", "INPUT", "STARTED", "DURATION", "ERROR");
      for (Execution e : list) {
        ctx.out.printf(
            "%-44s %-8s %-10s %-24s %-20s %9s  %s%n",
            e.id(),
            e.workflow(),
            e.status(),
            e.input(),
            e.startedAt().toString().replace('T', ' ').substring(0, 19),
            duration(Duration.between(e.startedAt(), e.endedAt().orElse(Instant.now()))),
            e.error().orElse(""));
      }
      if (list.isEmpty()) {
        ctx.out.println("(no executions)");
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "One execution: input, output, error and the step timeline with durations.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      Execution e = execution(ctx, id);
      ObjectMapper json = new ObjectMapper();
      ctx.out.printf("execution %s%n", e.id());
      ctx.out.printf(
          "  workflow: %s%n  status:   %s%n  trigger:  %s%n  input:    %s%n",
          e.workflow(), e.status(), e.trigger(), e.input());
      ctx.out.printf("  started:  %s%n", e.startedAt());
      e.endedAt()
          .ifPresent(
              t ->
                  ctx.out.printf(
                      "  ended:    %s (%s)%n", t, duration(Duration.between(e.startedAt(), t))));
      if (e.status() == ExecutionStatus.RUNNING) {
        ctx.out.printf(
            "  deadline: %s%n  owner:    %s%s%n",
            e.deadline(),
            e.owner().orElse("(none: waiting for a runner)"),
            e.heartbeatAt().map(h -> ", last heartbeat " + h).orElse(""));
      }
      e.error().ifPresent(x -> ctx.out.printf("  error:    %s%n", x));
      e.output()
          .ifPresent(
              o -> {
                try {
                  ctx.out.println(
                      "  output:   "
                          + json.writerWithDefaultPrettyPrinter()
                              .writeValueAsString(o)
                              .replace("\n", "\n            "));
                } catch (Exception ex) {
                  ctx.out.println("  output:   " + o);
                }
              });
      ctx.out.println("  timeline:");
      Map<String, Instant> started = new HashMap<>();
      for (ExecutionEvent ev : ctx.executions().events(e.id())) {
        String took = "";
        if (ev.type() == ExecutionEvent.Type.STEP_STARTED) {
          started.put(ev.step().orElse(""), ev.at());
        } else if (ev.type() == ExecutionEvent.Type.STEP_SUCCEEDED
            || ev.type() == ExecutionEvent.Type.STEP_FAILED) {
          Instant s = started.get(ev.step().orElse(""));
          if (s != null) {
            took = " (" + duration(Duration.between(s, ev.at())) + ")";
          }
        }
        String detail =
            ev.detail()
                .map(d -> d.length() > 160 ? d.substring(0, 157) + "..." : d)
                .map(d -> ": " + d)
                .orElse("");
        ctx.out.printf(
            "    %3d  %s  %-20s %s%s%s%n",
            ev.seq(),
            ev.at().toString().replace('T', ' '),
            ev.type(),
            ev.step().orElse(""),
            took,
            detail);
      }
      return 0;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stop a running execution (it ends ABORTED).")
  static final class Stop implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      Execution e = execution(ctx, id);
      if (e.status().isFinal()) {
        ctx.err.println("error: execution " + id + " is not running (" + e.status() + ")");
        return Commands.FAILED;
      }
      ctx.executor().stop(id);
      ctx.out.println(
          "stop requested for " + id + "; 'cdr executions show " + id + "' shows when it ended");
      return 0;
    }
  }

  @Command(
      name = "run",
      hidden = true,
      description = "Run (or resume) an execution nobody runs; used by 'cdr start --async'.")
  static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      if (BackgroundRunner.holdLog(ctx.config().stateDir(), id)) {
        ctx.out.println("run by process " + ProcessHandle.current().pid());
      }
      Executor executor = ctx.executor();
      Execution e = execution(ctx, id);
      // a background runner that is killed ends its execution ABORTED too, rather than leave it to
      // a lease
      try (StartCommand.InterruptGuard guard = new StartCommand.InterruptGuard(ctx, executor)) {
        if (guard.begin(() -> executor.claim(e) ? e : null) == null) {
          ctx.err.println(
              "error: execution "
                  + id
                  + " is "
                  + (e.status().isFinal() ? e.status() : "run by " + e.owner().orElse("?")));
          return Commands.FAILED;
        }
        Execution end = executor.run(id, ev -> StartCommand.print(ctx, ev));
        Failpoints.hit(
            "runner.ended"); // the status is recorded; the log and the catalog are not closed yet
        return StartCommand.finish(ctx, end);
      }
    }
  }

  /** The execution with this id, or a usage error naming it. */
  static Execution execution(AppContext ctx, String id) {
    return ctx.executions()
        .get(id)
        .orElseThrow(() -> new UserException("no execution '" + id + "'"));
  }

  static String duration(Duration d) {
    long s = d.getSeconds();
    if (s >= 3600) {
      return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }
    if (s >= 60) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%.1fs", d.toMillis() / 1000.0);
  }
}
