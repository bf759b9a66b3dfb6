package io.cdrpipeline.app;

import io.cdrpipeline.app.cli.AlarmsCommand;
import io.cdrpipeline.app.cli.BenchCommand;
import io.cdrpipeline.app.cli.CatalogCommand;
import io.cdrpipeline.app.cli.CrawlCommand;
import io.cdrpipeline.app.cli.DemoCommand;
import io.cdrpipeline.app.cli.EtlCommand;
import io.cdrpipeline.app.cli.ExecutionsCommand;
import io.cdrpipeline.app.cli.GenerateCommand;
import io.cdrpipeline.app.cli.QueryCommand;
import io.cdrpipeline.app.cli.ReportCommand;
import io.cdrpipeline.app.cli.ServeCommand;
import io.cdrpipeline.app.cli.StartCommand;
import io.cdrpipeline.app.cli.TableBenchCommand;
import io.cdrpipeline.app.cli.TableCommand;
import io.cdrpipeline.app.cli.WatchBenchCommand;
import io.cdrpipeline.app.cli.WatchCommand;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.app.lifecycle.ConfigureCommand;
import io.cdrpipeline.app.lifecycle.DestroyCommand;
import io.cdrpipeline.app.lifecycle.LaunchCommand;
import io.cdrpipeline.app.lifecycle.ServiceUnitCommand;
import io.cdrpipeline.catalog.CatalogException;
import io.cdrpipeline.config.ConfigException;
import io.cdrpipeline.etl.EtlException;
import io.cdrpipeline.query.QueryException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code cdr} command: global options and the list of commands. */
@Command(
    name = "cdr",
    mixinStandardHelpOptions = true,
    version = "cdr 0.1.0",
    description = {
      "Turns Amazon Chime Voice Connector call detail records (one JSON file per call) into a",
      "day-partitioned Parquet table you can query with SQL, and reports on it.",
      "",
      "Without a config file everything lives under ./data/ (cdr-bucket, processed, reports, state)."
    },
    footer = {"", "Run 'cdr COMMAND --help' for the options of a command."})
final class CdrCommand implements Callable<Integer>, Commands.Root {
  /**
   * The commands, in the order the help lists them. Only the one a command line names is built:
   * picocli reads every command's annotations when it is added, which took half a second of every
   * run's start with all of them.
   */
  private static final List<Class<?>> COMMANDS =
      List.of(
          GenerateCommand.class,
          CrawlCommand.class,
          EtlCommand.class,
          WatchCommand.class,
          QueryCommand.class,
          CatalogCommand.class,
          TableCommand.class,
          StartCommand.class,
          ExecutionsCommand.class,
          AlarmsCommand.class,
          ReportCommand.class,
          ServeCommand.class,
          ConfigureCommand.class,
          LaunchCommand.class,
          ServiceUnitCommand.class,
          DestroyCommand.class,
          DemoCommand.class,
          BenchCommand.class,
          TableBenchCommand.class,
          WatchBenchCommand.class,
          CommandLine.HelpCommand.class);

  /** Exit code of a user mistake (bad option, bad config). */
  static final int USAGE = Commands.USAGE;

  /** Exit code of a failure (bad SQL, a failed run). */
  static final int FAILED = Commands.FAILED;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "YAML config file (default: $CDR_CONFIG, else ./cdr.yaml if there is one, else built-in defaults under ./data)")
  Path config;

  @Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Log what happens (repeat for more detail).")
  boolean[] verbose = new boolean[0];

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  AppContext context;

  /**
   * {@code cdr} alone: the help, as a usage mistake (a script that forgot its command must not
   * pass).
   */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** The shared context of the running command. */
  @Override
  public AppContext context() {
    return context;
  }

  static int execute(
      String[] args, PrintStream out, PrintStream err, Map<String, String> env, Path workingDir) {
    return execute(args, out, err, env, workingDir, null);
  }

  /**
   * Runs a command; questions go to {@code terminal} when given (tests), else to the process's
   * terminal if any.
   */
  static int execute(
      String[] args,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Path workingDir,
      org.jline.terminal.Terminal terminal) {
    CdrCommand root = new CdrCommand();
    CommandLine cl = commandLine(root, named(args).map(List::<Class<?>>of).orElse(COMMANDS));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUsageHelpWidth(110);
    cl.registerConverter(Integer.class, CdrCommand::wholeNumber);
    cl.registerConverter(int.class, CdrCommand::wholeNumber);
    cl.registerConverter(Long.class, CdrCommand::longNumber);
    cl.registerConverter(long.class, CdrCommand::longNumber);
    cl.setParameterExceptionHandler(CdrCommand::usageMistake);
    cl.setExecutionStrategy(
        parsed -> {
          setLogLevel(root.verbose.length);
          root.context = new AppContext(root.config, env, workingDir, out, err, terminal);
          try {
            return new CommandLine.RunLast().execute(parsed);
          } finally {
            root.context.close();
          }
        });
    cl.setExecutionExceptionHandler((e, commandLine, parsed) -> handle(e, err));
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The root command with every command added, as {@code cdr --help} lists them. */
  static CommandLine everyCommand() {
    return commandLine(new CdrCommand(), COMMANDS);
  }

  private static CommandLine commandLine(CdrCommand root, List<Class<?>> commands) {
    CommandLine cl = new CommandLine(root);
    for (Class<?> command : commands) {
      cl.addSubcommand(instance(command));
    }
    return cl;
  }

  /**
   * The command the line names, when it names one by its name or an alias; else every command is
   * built.
   */
  private static Optional<Class<?>> named(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--config")) {
        i++;
      } else if (!a.startsWith("-")) {
        for (Class<?> c : COMMANDS) {
          Command spec = c.getAnnotation(Command.class);
          if (spec.name().equals(a) || Arrays.asList(spec.aliases()).contains(a)) {
            return c == CommandLine.HelpCommand.class ? Optional.empty() : Optional.of(c);
          }
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static Object instance(Class<?> command) {
    try {
      var constructor = command.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create the command " + command.getName(), e);
    }
  }

  /**
   * A mistake in the command line: one line with what was wrong and where the help is, instead of
   * the whole help page.
   */
  private static int usageMistake(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    // picocli starts a few of its messages with "Error: ", which the line has already
    String message =
        e.getMessage() == null
            ? "invalid command line"
            : e.getMessage().strip().replaceFirst("^Error: ", "");
    int nl = message.indexOf('\n');
    if (nl >= 0) {
      message = message.substring(0, nl);
    }
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      message += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
    }
    cmd.getErr()
        .println(
            "error: " + message + "; see '" + cmd.getCommandSpec().qualifiedName() + " --help'");
    cmd.getErr().flush();
    return USAGE;
  }

  private static Integer wholeNumber(String value) {
    try {
      return Integer.valueOf(value.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException(
          value.strip().matches("-?\\d+")
              ? "'" + value + "' is too large (at most " + Integer.MAX_VALUE + ")"
              : "'" + value + "' is not a whole number");
    }
  }

  private static Long longNumber(String value) {
    try {
      return Long.valueOf(value.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException(
          value.strip().matches("-?\\d+")
              ? "'" + value + "' is too large (at most " + Long.MAX_VALUE + ")"
              : "'" + value + "' is not a whole number");
    }
  }

  private static int handle(Exception e, PrintStream err) {
    Throwable t = e;
    if (t instanceof UncheckedIOException u) {
      t = u.getCause();
    }
    if (t instanceof Prompts.Cancelled) {
      err.println(t.getMessage());
      return 130;
    }
    if (t instanceof ConfigException) {
      err.println("config error: " + t.getMessage());
      return USAGE;
    }
    if (t instanceof UserException) {
      err.println("error: " + t.getMessage());
      return USAGE;
    }
    if (t instanceof IllegalArgumentException) {
      err.println("error: " + t.getMessage());
      return USAGE;
    }
    if (t instanceof QueryException
        || t instanceof EtlException
        || t instanceof CatalogException
        || t instanceof io.cdrpipeline.table.TableException
        || t instanceof io.cdrpipeline.workflow.AlreadyRunningException) {
      log().debug("failure", t);
      err.println("error: " + t.getMessage());
      return FAILED;
    }
    if (t instanceof NoSuchFileException) {
      err.println("error: no such file or folder: " + t.getMessage());
      return FAILED;
    }
    if (t instanceof IOException) {
      log().debug("I/O failure", t);
      err.println("error: " + t.getMessage());
      return FAILED;
    }
    log().error("unexpected failure (this is a bug)", t);
    err.println("error: unexpected failure: " + t + " (stack trace above)");
    return 70;
  }

  /** The product's logger; created only after the level is set. */
  private static Logger log() {
    return LoggerFactory.getLogger(CdrCommand.class);
  }

  /**
   * Sets the level of the product's loggers. slf4j-simple reads it when a logger is first made, so
   * this runs before any logger exists.
   */
  static void setLogLevel(int verbosity) {
    if (verbosity > 0) {
      System.setProperty(
          "org.slf4j.simpleLogger.log.io.cdrpipeline", verbosity == 1 ? "info" : "debug");
      if (verbosity > 2) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
      }
    }
  }
}
