package io.cdrpipeline.app.cli;

import io.cdrpipeline.alarm.AlarmDefinition;
import io.cdrpipeline.alarm.AlarmFiring;
import io.cdrpipeline.alarm.AlarmRule;
import io.cdrpipeline.alarm.Alarms;
import io.cdrpipeline.alarm.Evidence;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.ResultPrinter;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QuerySink;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "alarms",
    mixinStandardHelpOptions = true,
    description = {
      "List and inspect alarm firings, and try a rule over a past window.",
      "Alarms are configured under 'alarms:' and evaluated after every daily ETL."
    },
    subcommands = {
      AlarmsCommand.ListAlarms.class,
      AlarmsCommand.Show.class,
      AlarmsCommand.Test.class
    })
public final class AlarmsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say what to do: 'cdr alarms list', 'show ID' or 'test RULE'");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Alarm firings, newest first: those firing, then resolved ones.")
  static final class ListAlarms implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--state",
        paramLabel = "S",
        description = "Only firings in this state: FIRING or RESOLVED.")
    String state;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "At most N (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      AppContext ctx = Commands.context(spec);
      Optional<AlarmFiring.State> st = state(state);
      if (limit < 1) {
        throw new UserException("--limit: " + limit + " is not a number of firings (1 or more)");
      }
      List<AlarmFiring> list = ctx.alarms().store().list(st, limit);
      String format = "%-16s %-24s %-16s %-9s %-4s %-20s %-20s %s%n";
      ctx.out.printf(
          format, "ID", "ALARM", "RULE", "STATE", "ACK", "FIRED", "RESOLVED", "CONNECTORS");
      for (AlarmFiring f : list) {
        ctx.out.printf(
            format,
            f.id(),
            f.alarm(),
            f.rule(),
            f.state(),
            f.acknowledged() ? "yes" : "no",
            time(f.firedAt()),
            f.resolvedAt().map(AlarmsCommand::time).orElse(""),
            String.join(",", f.connectors()));
      }
      if (list.isEmpty()) {
        ctx.out.println("(no alarm firings)");
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "One firing: its window, connectors, and evidence (the query and its top rows).")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The firing's id, as 'cdr alarms list' shows it.")
    String id;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      AlarmFiring f =
          ctx.alarms()
              .store()
              .get(id)
              .orElseThrow(
                  () -> new UserException("no alarm firing '" + id + "' (see 'cdr alarms list')"));
      ctx.out.printf("alarm firing %s%n", f.id());
      ctx.out.printf(
          "  alarm:      %s%n  rule:       %s%n  state:      %s%n", f.alarm(), f.rule(), f.state());
      ctx.out.printf("  fired:      %s%n", f.firedAt());
      f.resolvedAt().ifPresent(t -> ctx.out.printf("  resolved:   %s%n", t));
      ctx.out.printf(
          "  acknowledged: %s%n",
          f.acknowledgedAt()
              .map(t -> t + f.acknowledgedBy().map(b -> " by " + b).orElse(""))
              .orElse("no"));
      ctx.out.printf("  window:     %s to %s%n", f.windowFrom(), f.windowTo());
      ctx.out.printf("  connectors: %s%n", String.join(", ", f.connectors()));
      printEvidence(ctx, f.evidence());
      return 0;
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Runs an alarm's rule over a past window and prints what it finds, without recording or",
        "notifying anything. RULE is the name of a configured alarm (its thresholds and connectors)",
        "or a built-in rule with its default thresholds."
      })
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "RULE",
        description =
            "A configured alarm's name, or a rule: failure-rate, asr-acd-drop, irsf, wangiri,"
                + " spend-spike, silent-connector.")
    String rule;

    @Option(
        names = "--from",
        paramLabel = "TIME",
        description =
            "Start of the window, UTC: YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: a day before --to).")
    String from;

    @Option(
        names = "--to",
        paramLabel = "TIME",
        description =
            "End of the window (excluded), UTC: YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: the start of today, so yesterday is tested).")
    String to;

    @Override
    public Integer call() throws Exception {
      AppContext ctx = Commands.context(spec);
      AlarmDefinition a = definition(ctx, rule);
      Instant end =
          to == null
              ? LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant()
              : instant("--to", to);
      Instant start = from == null ? end.minusSeconds(86400) : instant("--from", from);
      if (!start.isBefore(end)) {
        throw new UserException("--from must be before --to (" + start + ", " + end + ")");
      }
      Evidence e;
      try (QueryEngine q = ctx.queryEngine()) {
        e = Alarms.test(q, a, start, end);
      }
      ctx.out.printf(
          "%s (%s) over %s to %s: %s%n",
          a.name(), a.rule().id(), start, end, e.fires() ? "FIRES" : "does not fire");
      printEvidence(ctx, e);
      return 0;
    }
  }

  /** A configured alarm of that name, else the built-in rule with its defaults. */
  static AlarmDefinition definition(AppContext ctx, String name) {
    for (AlarmDefinition a : ctx.config().alarms()) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    return AlarmRule.of(name)
        .map(r -> AlarmDefinition.of(r.id(), r))
        .orElseThrow(
            () ->
                new UserException(
                    "unknown alarm or rule '"
                        + name
                        + "' (configured alarms: "
                        + (ctx.config().alarms().isEmpty()
                            ? "none"
                            : String.join(
                                ", ",
                                ctx.config().alarms().stream().map(AlarmDefinition::name).toList()))
                        + "; rules: "
                        + AlarmRule.names()
                        + ")"));
  }

  static void printEvidence(AppContext ctx, Evidence e) throws java.io.IOException {
    ctx.out.println("  query:");
    for (String line : e.query().split("\n")) {
      ctx.out.println("    " + line);
    }
    ctx.out.println("  rows:" + (e.rows().isEmpty() ? " (none)" : ""));
    if (!e.rows().isEmpty()) {
      QuerySink sink = ResultPrinter.sink(ResultPrinter.Format.table, ctx.out);
      sink.header(e.columns(), e.columns().stream().map(c -> "VARCHAR").toList());
      for (List<Object> r : e.rows()) {
        sink.row(r);
      }
      sink.end();
    }
  }

  static Optional<AlarmFiring.State> state(String s) {
    if (s == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(AlarmFiring.State.valueOf(s.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new UserException("--state: unknown state '" + s + "' (FIRING or RESOLVED)");
    }
  }

  static Instant instant(String option, String value) {
    String v = value.trim();
    try {
      if (v.length() == 10) {
        return Commands.date(option, v).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new UserException(
          option + ": '" + value + "' is not a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC)");
    }
  }

  static String time(Instant t) {
    return t.toString().replace('T', ' ').substring(0, 19);
  }
}
