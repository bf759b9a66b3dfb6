package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The command line in one folder, in this JVM or in child JVMs, and what the Spark engine's tests
 * look at.
 */
final class SparkCli implements AutoCloseable {
  final Path dir;
  private final List<Process> started = new ArrayList<>();

  SparkCli(Path dir) {
    this.dir = dir;
  }

  CliRun cdr(String... args) {
    return cdrIn(dir, args);
  }

  static CliRun cdrIn(Path where, String... args) {
    return CliRun.in(where, new HashMap<>(), args);
  }

  /** The CLI in a child JVM, in the folder; its output goes to child-N.log. */
  Process child(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child-" + started.size() + ".log").toFile())
            .start();
    started.add(p);
    return p;
  }

  ExecutionStore store() {
    return new ExecutionStore(
        new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))));
  }

  String count() {
    return cdr(
            "query",
            "--format",
            "csv",
            "SELECT count(*) AS n, count(DISTINCT callid) AS d FROM processed_cdrs")
        .out();
  }

  /** The submission an execution's etl step keeps in its checkpoint, once it has one. */
  static JsonNode submission(ExecutionStore store, String id, Duration within)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      JsonNode s = store.get(id).map(e -> e.state().path("checkpoints").path("etl")).orElse(null);
      if (s != null && s.has("pid")) {
        return s;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no submission of " + id + " within " + within);
  }

  static String awaitExecution(ExecutionStore store, Duration within) throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      List<Execution> all = store.list(Optional.empty(), Optional.empty(), 5);
      if (!all.isEmpty()) {
        return all.get(0).id();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no execution within " + within);
  }

  static void awaitLine(Path file, String text, Duration within) throws Exception {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      if (Files.exists(file) && Files.readString(file).contains(text)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no '"
            + text
            + "' in "
            + file
            + " within "
            + within
            + (Files.exists(file) ? ":\n" + Files.readString(file) : ""));
  }

  void awaitProgress(String id, int events) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (progress(id).size() < events && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertThat(progress(id)).hasSize(events);
  }

  List<ExecutionEvent> progress(String id) {
    return store().events(id).stream()
        .filter(e -> e.type() == ExecutionEvent.Type.STEP_PROGRESS)
        .toList();
  }

  static String withoutTimes(String out) {
    return out.replaceAll(", [\\d.,]+ s, [\\d,]+ files/s( -> \\S+)?", "");
  }

  /** Kills the child JVMs and whatever they started. */
  @Override
  public void close() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }
}
