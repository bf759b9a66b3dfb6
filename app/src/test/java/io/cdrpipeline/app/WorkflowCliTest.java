package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.app.cli.BackgroundRunner;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Workflows from the command line, including a run killed mid-way and resumed by the service. */
class WorkflowCliTest {
  @TempDir Path dir;

  CliRun cdr(String... args) {
    return CliRun.in(dir, new HashMap<>(), args);
  }

  Process child(String failpoint, String... args) throws Exception {
    return child(false, failpoint, args);
  }

  /**
   * A child JVM running the CLI. With {@code ctrlC}, SIGINT reaches it as in a terminal even if
   * this test was started in the background without job control, where the shell set SIGINT to
   * ignored for every descendant (the JVM then never sees it): perl resets it first.
   */
  Process child(boolean ctrlC, String failpoint, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    if (ctrlC && (sigIgn(Path.of("/proc/self/status")) & 2) != 0) {
      cmd.addAll(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\""));
    }
    cmd.addAll(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    if (failpoint != null) {
      cmd.add("-Dcdr.failpoint=" + failpoint);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
  }

  @Test
  void startFollowsTheStepsAndExecutionsShowsTheTimeline() {
    assertThat(cdr("generate", "--date", "2026-11-02", "--calls", "40").code()).isZero();
    CliRun r = cdr("start", "daily", "--date", "2026-11-02");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("step crawl-raw started")
        .contains("step etl succeeded")
        .contains("step notify succeeded")
        .contains("SUCCEEDED")
        .contains("\"rowsWritten\" : 40");
    String id =
        r.out()
            .lines()
            .filter(l -> l.startsWith("started "))
            .findFirst()
            .orElseThrow()
            .split(" ")[1];

    CliRun list = cdr("executions", "list", "--workflow", "daily");
    assertThat(list.out()).contains(id).contains("SUCCEEDED").contains("2026-11-02");
    CliRun show = cdr("executions", "show", id);
    assertThat(show.out())
        .contains("status:   SUCCEEDED")
        .contains("STEP_SUCCEEDED")
        .contains("etl (")
        .contains("EXECUTION_SUCCEEDED");
    assertThat(cdr("executions", "stop", id).code()).isEqualTo(1);
    CliRun viaInput = cdr("start", "daily", "--input", "{\"Date\":\"2026-11-02\"}");
    assertThat(viaInput.code()).as(viaInput.err()).isZero();
    assertThat(viaInput.out()).contains("{\"Date\":\"2026-11-02\"}");
    assertThat(cdr("start", "daily", "--input", "[1]").code()).isEqualTo(2);
    assertThat(cdr("start", "daily", "--input", "{\"Date\":\"someday\"}").code()).isEqualTo(2);
    assertThat(cdr("executions", "show", "nope").code()).isEqualTo(2);
    assertThat(cdr("executions", "list", "--status", "WEIRD").code()).isEqualTo(2);
  }

  @Test
  void aFailedExecutionExitsOneWithTheError() {
    CliRun r = cdr("start", "daily", "--date", "2026-11-02"); // no CDR bucket at all
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("FAILED").contains("bucket folder does not exist");
  }

  @Test
  void theReportPrintsItsDownloadLink() {
    assertThat(cdr("generate", "--date", "2026-10-05", "--calls", "30").code()).isZero();
    assertThat(cdr("etl", "--date", "2026-10-05").code()).isZero();
    CliRun r = cdr("start", "report", "--month", "2026-10");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern(
            "download link: http://localhost:8080/reports/2026-10/npanxx\\.csv\\?expires=\\d+&signature=\\S+\n"
                + "  \\(served by 'cdr serve' or 'cdr launch' at http://localhost:8080: the link works only while the service runs, "
                + "until it expires\\)\n");
    assertThat(cdr("start", "report", "--month", "2026-13").code()).isEqualTo(2);
  }

  @Test
  void oneDayIsOneDayAndTheDailyOutputNamesItsDayOnce() throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-02", "--calls", "12").code()).isZero();
    CliRun full = cdr("start", "full");
    assertThat(full.code()).as(full.out() + full.err()).isZero();
    assertThat(full.out())
        .contains("CDR Processing Complete: 1 day processed, 0 unchanged")
        .doesNotContain("1 days");
    assertThat(cdr("generate", "--date", "2026-11-03", "--calls", "12").code()).isZero();
    assertThat(cdr("crawl", "raw").code()).isZero();
    CliRun etl = cdr("etl", "--full");
    assertThat(etl.code()).as(etl.err()).isZero();
    assertThat(etl.out()).contains("total: 1 day processed, 1 skipped,");

    CliRun daily = cdr("start", "daily", "--date", "2026-11-03");
    assertThat(daily.code()).as(daily.out() + daily.err()).isZero();
    String id =
        daily
            .out()
            .lines()
            .filter(l -> l.startsWith("started "))
            .findFirst()
            .orElseThrow()
            .split(" ")[1];
    Execution e =
        new ExecutionStore(
                new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))))
            .get(id)
            .orElseThrow();
    com.fasterxml.jackson.databind.JsonNode output = e.output().orElseThrow();
    assertThat(output.path("Date").asText())
        .isEqualTo("2026-11-03"); // the original's input key, as its input has it
    assertThat(output.has("date")).isFalse();
    assertThat(output.path("rowsWritten").asLong()).isEqualTo(12);
  }

  @Test
  void asyncReturnsTheIdAndABackgroundProcessRunsIt() throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-03", "--calls", "20").code()).isZero();
    CliRun r = cdr("start", "daily", "--date", "2026-11-03", "--async");
    assertThat(r.code()).as(r.err()).isZero();
    String id = r.out().strip();
    assertThat(id).startsWith("daily-");
    ExecutionStore store =
        new ExecutionStore(
            new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))));
    Execution end = awaitFinal(store, id, Duration.ofSeconds(60));
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    // the process itself ends too (it writes its log and closes the catalog after the status)
    assertThat(BackgroundRunner.awaitAll(dir.resolve("data/state"), Duration.ofSeconds(60)))
        .isEmpty();
    assertThat(Files.readString(dir.resolve("data/state/logs/" + id + ".log")))
        .contains(id + " SUCCEEDED");
  }

  @Test
  void anExecutionKilledMidwayIsResumedByTheServiceAndCompletesOnce() throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-04", "--calls", "400", "--seed", "8").code())
        .isZero();
    Process first = child("etl.read@50:pause", "start", "daily", "--date", "2026-11-04");
    String id = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("failpoint etl.read paused")) {
        if (line.startsWith("started ")) {
          id = line.split(" ")[1];
        }
      }
      assertThat(line).isEqualTo("failpoint etl.read paused");
    }
    first.destroyForcibly(); // killed in the middle of the ETL step
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(id).isNotNull();
    ExecutionStore store =
        new ExecutionStore(
            new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))));
    assertThat(store.get(id).orElseThrow().status()).isEqualTo(ExecutionStatus.RUNNING);
    CliRun refused =
        cdr(
            "start",
            "daily",
            "--date",
            "2026-11-04"); // a kill -9 cannot be caught: the day waits, and says for what
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err())
        .contains("is already running as execution " + id)
        .contains(
            "its process is gone (killed): 'cdr serve' resumes it, 'cdr executions stop "
                + id
                + "' ends it")
        .hasLineCount(1);

    Process service = child(null, "serve", "--port", "0", "--no-schedules");
    try {
      Execution end = awaitFinal(store, id, Duration.ofSeconds(90));
      assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      List<ExecutionEvent> events = store.events(id);
      assertThat(events)
          .filteredOn(e -> e.type() == ExecutionEvent.Type.EXECUTION_RESUMED)
          .hasSize(1);
      assertThat(events)
          .filteredOn(e -> e.type() == ExecutionEvent.Type.EXECUTION_SUCCEEDED)
          .hasSize(1);
      assertThat(events)
          .filteredOn(
              e ->
                  e.type() == ExecutionEvent.Type.STEP_SUCCEEDED
                      && e.step().orElse("").equals("crawl-raw"))
          .hasSize(1); // the finished step is not run again
    } finally {
      io.cdrpipeline.testing.Processes.stop(service, Duration.ofSeconds(60));
    }
    CliRun count =
        cdr(
            "query",
            "--format",
            "csv",
            "SELECT count(*) AS n, count(DISTINCT callid) AS d FROM processed_cdrs");
    assertThat(count.out()).isEqualTo("n,d\n400,400\n");
  }

  /** A child's output, line by line, read as it comes so the child never blocks on a full pipe. */
  static final class Output {
    final List<String> all = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    Output(Process p) {
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = in.readLine()) != null; ) {
                    all.add(line);
                    queue.add(line);
                  }
                } catch (Exception ignored) {
                  // the child is gone
                }
                queue.add("<eof>");
              },
              "child-output");
      t.setDaemon(true);
      t.start();
    }

    /** The next line that starts with {@code prefix}, within 90 s. */
    String await(String prefix) throws InterruptedException {
      return awaitLine(prefix, false);
    }

    /** The next line that contains {@code text}, within 90 s. */
    String awaitContaining(String text) throws InterruptedException {
      return awaitLine(text, true);
    }

    private String awaitLine(String prefix, boolean anywhere) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline) {
        String l = queue.poll(100, TimeUnit.MILLISECONDS);
        if (l != null && (anywhere ? l.contains(prefix) : l.startsWith(prefix))) {
          return l;
        }
        if ("<eof>".equals(l)) {
          throw new AssertionError(
              "the child ended before printing '" + prefix + "':\n" + String.join("\n", all));
        }
      }
      throw new AssertionError("no line '" + prefix + "' within 90 s:\n" + String.join("\n", all));
    }
  }

  /** The mask of ignored signals in a /proc status file (bit n-1 for signal n). */
  static long sigIgn(Path status) throws Exception {
    return Long.parseLong(
        Files.readString(status).replaceAll("(?s).*SigIgn:\\s*([0-9a-f]+).*", "$1"), 16);
  }

  static void signal(Process p, String name) throws Exception {
    if (name.equals("INT")) {
      assertThat(sigIgn(Path.of("/proc/" + p.pid() + "/status")) & 2)
          .as("SIGINT ignored by the child")
          .isZero();
    }
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(p.pid()))
            .redirectErrorStream(true)
            .start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  ExecutionStore store() {
    return new ExecutionStore(
        new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))));
  }

  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"INT", "TERM"})
  void aSignalEndsTheExecutionOfStartAbortedSaysSoAndTheDayCanRunAgain(String sig)
      throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-05", "--calls", "300", "--seed", "5").code())
        .isZero();
    Process first = child(true, "etl.read@40:pause", "start", "daily", "--date", "2026-11-05");
    Output out = new Output(first);
    try {
      String id = out.await("started ").split(" ")[1];
      out.await("failpoint etl.read paused"); // in the middle of the etl step
      signal(first, sig);
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).isEqualTo(sig.equals("INT") ? 130 : 143);
      assertThat(out.all)
          .contains(
              id + " ABORTED: interrupted (Ctrl-C or SIGTERM)",
              "interrupted: execution "
                  + id
                  + " is ABORTED, nothing of it is left running; run the command again to redo it");
      Execution e = store().get(id).orElseThrow();
      assertThat(e.status()).isEqualTo(ExecutionStatus.ABORTED);
      assertThat(e.owner()).isEmpty();
      assertThat(store().events(id))
          .last()
          .satisfies(
              ev -> {
                assertThat(ev.type()).isEqualTo(ExecutionEvent.Type.EXECUTION_ABORTED);
                assertThat(ev.step()).contains("etl");
              });
    } finally {
      first.destroyForcibly();
    }
    CliRun again = cdr("start", "daily", "--date", "2026-11-05");
    assertThat(again.err()).doesNotContain("already running");
    assertThat(again.code()).as(again.err()).isZero();
    CliRun count =
        cdr(
            "query",
            "--format",
            "csv",
            "SELECT count(*) AS n, count(DISTINCT callid) AS d FROM processed_cdrs");
    assertThat(count.out()).isEqualTo("n,d\n300,300\n");
  }

  @Test
  void aServiceStoppedBySigtermHandsItsExecutionOverAndTheNextServiceResumesIt() throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-06", "--calls", "300", "--seed", "6").code())
        .isZero();
    Process first = child("etl.read@40:pause", "start", "daily", "--date", "2026-11-06");
    Output firstOut = new Output(first);
    String id = firstOut.await("started ").split(" ")[1];
    firstOut.await("failpoint etl.read paused");
    first.destroyForcibly(); // killed: the service finds it and resumes it
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Process service = child("etl.read@40:pause", "serve", "--port", "0", "--no-schedules");
    Output serviceOut = new Output(service);
    try {
      serviceOut.await(
          "failpoint etl.read paused"); // it resumed the execution and is in its etl step
      signal(service, "TERM");
      assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(serviceOut.all)
          .anyMatch(
              l ->
                  l.endsWith(
                      "handed over " + id + ": the next 'cdr serve' resumes it at step etl"));
    } finally {
      service.destroyForcibly();
    }
    Execution given = store().get(id).orElseThrow();
    assertThat(given.status()).isEqualTo(ExecutionStatus.RUNNING);
    assertThat(given.owner()).isEmpty();
    assertThat(store().events(id))
        .last()
        .satisfies(
            ev -> assertThat(ev.type()).isEqualTo(ExecutionEvent.Type.EXECUTION_HANDED_OVER));

    Process next = child(null, "serve", "--port", "0", "--no-schedules");
    try {
      Execution end = awaitFinal(store(), id, Duration.ofSeconds(90));
      assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(store().events(id))
          .filteredOn(e -> e.type() == ExecutionEvent.Type.EXECUTION_RESUMED)
          .hasSize(2);
    } finally {
      io.cdrpipeline.testing.Processes.stop(next, Duration.ofSeconds(60));
    }
    CliRun count =
        cdr(
            "query",
            "--format",
            "csv",
            "SELECT count(*) AS n, count(DISTINCT callid) AS d FROM processed_cdrs");
    assertThat(count.out()).isEqualTo("n,d\n300,300\n");
  }

  @Test
  void anUnknownOrMiscasedInputKeyIsOneLineAndExitTwo() {
    CliRun miscased = cdr("start", "daily", "--input", "{\"date\":\"2026-11-30\"}");
    assertThat(miscased.code()).isEqualTo(2);
    assertThat(miscased.err())
        .isEqualTo(
            "error: input of daily: unknown key \"date\" (did you mean \"Date\"? "
                + "keys are case-sensitive); allowed keys: Date, Force\n");
    assertThat(miscased.out()).doesNotContain("started");
    CliRun report = cdr("start", "report", "--input", "{\"month\":\"2026-10\"}");
    assertThat(report.code()).isEqualTo(2);
    assertThat(report.err())
        .contains("unknown key \"month\"")
        .contains("allowed keys: Month")
        .hasLineCount(1);
    CliRun full = cdr("start", "full", "--input", "{\"Date\":\"2026-11-30\"}");
    assertThat(full.code()).isEqualTo(2);
    assertThat(full.err())
        .isEqualTo("error: input of full: unknown key \"Date\"; allowed keys: Force\n");
    CliRun withOption =
        cdr("start", "daily", "--date", "2026-11-30", "--input", "{\"DATE\":\"2026-11-29\"}");
    assertThat(withOption.code()).isEqualTo(2);
    assertThat(withOption.err()).contains("unknown key \"DATE\"");
    CliRun twice =
        cdr("start", "daily", "--input", "{\"Date\":\"2026-11-29\",\"Date\":\"2026-11-30\"}");
    assertThat(twice.code()).isEqualTo(2);
    assertThat(twice.err())
        .startsWith("error: --input: not valid JSON: Duplicate field 'Date'")
        .hasLineCount(1);
    CliRun trailing =
        cdr("start", "daily", "--input", "{\"Date\":\"2026-11-29\"} {\"Date\":\"2026-11-30\"}");
    assertThat(trailing.code()).isEqualTo(2);
    assertThat(trailing.err()).startsWith("error: --input: not valid JSON: ").hasLineCount(1);
    CliRun nullDate = cdr("start", "daily", "--input", "{\"Date\":null}");
    assertThat(nullDate.code()).isEqualTo(2);
    assertThat(nullDate.err())
        .startsWith("error: input Date: expected a date (YYYY-MM-DD) as a string, got null")
        .hasLineCount(1);
    assertThat(cdr("executions", "list").out()).contains("(no executions)");
  }

  static Execution awaitFinal(ExecutionStore store, String id, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Execution e = store.get(id).orElseThrow();
    while (!e.status().isFinal() && System.nanoTime() < end) {
      Thread.sleep(100);
      e = store.get(id).orElseThrow();
    }
    return e;
  }
}
