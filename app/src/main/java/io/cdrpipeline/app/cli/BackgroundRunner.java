package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.store.OwnerLock;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The process of its own that runs an execution started with {@code cdr start --async}. Its output
 * goes to {@code stateDir/logs/ID.log}, and it holds a lock on that file for as long as it lives:
 * the operating system releases the lock when the process ends, however it ends, so whoever must
 * not race the runner (destroy, the tests) waits for the process itself, not only for the final
 * status it records (the runner still writes its log and closes the catalog after that).
 */
public final class BackgroundRunner {
  /** The name of a runner's log: {@code <execution id>.log}. */
  public static final Pattern LOG = Pattern.compile("[a-z]+-\\d{8}T\\d{6}-[0-9a-f]{8}\\.log");

  /** The lock the runner of this process holds until it exits (never released by hand). */
  private static OwnerLock held;

  private BackgroundRunner() {}

  /** Where the runner of an execution writes its output. */
  public static Path log(Path stateDir, String id) {
    return stateDir.resolve("logs").resolve(id + ".log");
  }

  /** Starts the process that runs the execution; it outlives this command. */
  static void spawn(AppContext ctx, String id) throws IOException {
    Path log = log(ctx.config().stateDir(), id);
    Files.createDirectories(log.getParent());
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java));
    String options = ctx.env().getOrDefault("CDR_JAVA_OPTS", "").strip();
    if (!options.isEmpty()) {
      cmd.addAll(
          List.of(options.split("\\s+"))); // the runner takes the JVM options the cdr command takes
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.add(Commands.MAIN_CLASS);
    ctx.config()
        .source()
        .ifPresent(
            src -> {
              cmd.add("--config");
              cmd.add(src.toString());
            });
    cmd.addAll(List.of("executions", "run", id));
    new ProcessBuilder(cmd)
        .directory(ctx.workingDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  /**
   * Called by the runner process: locks its log until the process exits, and says whether it did.
   * Nothing to lock (run by hand, with output elsewhere) is fine: then nobody waits for it.
   */
  static synchronized boolean holdLog(Path stateDir, String id) {
    Path log = log(stateDir, id);
    if (held != null || !Files.isRegularFile(log)) {
      return false;
    }
    try {
      held = OwnerLock.tryExisting(log).orElse(null);
      return held != null;
    } catch (IOException e) {
      return false; // no lock: waiting for this runner falls back to its execution's status
    }
  }

  /**
   * Waits up to {@code timeout} for every runner of this state folder to end and returns the
   * execution ids of those still alive (empty: none runs).
   */
  public static List<String> awaitAll(Path stateDir, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(stateDir, "stateDir is null");
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 20;
    while (true) {
      List<String> alive = alive(stateDir);
      if (alive.isEmpty() || System.nanoTime() >= deadline) {
        return alive;
      }
      Thread.sleep(pause);
      pause = Math.min(500, pause * 2);
    }
  }

  /** The execution ids whose runner process is alive now. */
  public static List<String> alive(Path stateDir) {
    Path logs = stateDir.resolve("logs");
    List<String> alive = new ArrayList<>();
    if (!Files.isDirectory(logs)) {
      return alive;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(logs)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (LOG.matcher(name).matches() && Files.isRegularFile(e) && OwnerLock.held(e)) {
          alive.add(name.substring(0, name.length() - ".log".length()));
        }
      }
    } catch (IOException e) {
      // an unreadable folder holds no runner this process could wait for
    }
    return alive;
  }
}
