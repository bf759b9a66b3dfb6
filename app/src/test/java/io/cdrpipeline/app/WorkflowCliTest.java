package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workflows from the command line, including a run killed mid-way and resumed by the service. */
class WorkflowCliTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  Run cdr(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new HashMap<>(), dir);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Process child(String failpoint, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m"));
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
    Run r = cdr("start", "daily", "--date", "2026-11-02");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("step crawl-raw started").contains("step etl succeeded").contains("step notify succeeded")
        .contains("SUCCEEDED").contains("\"rowsWritten\" : 40");
    String id = r.out().lines().filter(l -> l.startsWith("started ")).findFirst().orElseThrow().split(" ")[1];

    Run list = cdr("executions", "list", "--workflow", "daily");
    assertThat(list.out()).contains(id).contains("SUCCEEDED").contains("2026-11-02");
    Run show = cdr("executions", "show", id);
    assertThat(show.out()).contains("status:   SUCCEEDED").contains("STEP_SUCCEEDED").contains("etl (")
        .contains("EXECUTION_SUCCEEDED");
    assertThat(cdr("executions", "stop", id).code()).isEqualTo(1);
    Run viaInput = cdr("start", "daily", "--input", "{\"Date\":\"2026-11-02\"}");
    assertThat(viaInput.code()).as(viaInput.err()).isZero();
    assertThat(viaInput.out()).contains("{\"Date\":\"2026-11-02\"}");
    assertThat(cdr("start", "daily", "--input", "[1]").code()).isEqualTo(2);
    assertThat(cdr("start", "daily", "--input", "{\"Date\":\"someday\"}").code()).isEqualTo(2);
    assertThat(cdr("executions", "show", "nope").code()).isEqualTo(2);
    assertThat(cdr("executions", "list", "--status", "WEIRD").code()).isEqualTo(2);
  }

  @Test
  void aFailedExecutionExitsOneWithTheError() {
    Run r = cdr("start", "daily", "--date", "2026-11-02"); // no CDR bucket at all
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("FAILED").contains("bucket folder does not exist");
  }

  @Test
  void theReportPrintsItsDownloadLink() {
    assertThat(cdr("generate", "--date", "2026-10-05", "--calls", "30").code()).isZero();
    assertThat(cdr("etl", "--date", "2026-10-05").code()).isZero();
    Run r = cdr("start", "report", "--month", "2026-10");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("download link: http://localhost:8080/reports/2026-10/npanxx\\.csv\\?expires=\\d+&signature=");
    assertThat(cdr("start", "report", "--month", "2026-13").code()).isEqualTo(2);
  }

  @Test
  void asyncReturnsTheIdAndABackgroundProcessRunsIt() throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-03", "--calls", "20").code()).isZero();
    Run r = cdr("start", "daily", "--date", "2026-11-03", "--async");
    assertThat(r.code()).as(r.err()).isZero();
    String id = r.out().strip();
    assertThat(id).startsWith("daily-");
    ExecutionStore store = new ExecutionStore(new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))));
    Execution end = awaitFinal(store, id, Duration.ofSeconds(60));
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void anExecutionKilledMidwayIsResumedByTheServiceAndCompletesOnce() throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-04", "--calls", "400", "--seed", "8").code()).isZero();
    Process first = child("etl.read@50:pause", "start", "daily", "--date", "2026-11-04");
    String id = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
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
    ExecutionStore store = new ExecutionStore(new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))));
    assertThat(store.get(id).orElseThrow().status()).isEqualTo(ExecutionStatus.RUNNING);

    Process service = child(null, "serve", "--port", "0", "--no-schedules");
    try {
      Execution end = awaitFinal(store, id, Duration.ofSeconds(90));
      assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      List<ExecutionEvent> events = store.events(id);
      assertThat(events).filteredOn(e -> e.type() == ExecutionEvent.Type.EXECUTION_RESUMED).hasSize(1);
      assertThat(events).filteredOn(e -> e.type() == ExecutionEvent.Type.EXECUTION_SUCCEEDED).hasSize(1);
      assertThat(events).filteredOn(e -> e.type() == ExecutionEvent.Type.STEP_SUCCEEDED && e.step().orElse("").equals("crawl-raw"))
          .hasSize(1); // the finished step is not run again
    } finally {
      service.destroy();
      service.waitFor(30, TimeUnit.SECONDS);
    }
    Run count = cdr("query", "--format", "csv", "SELECT count(*) AS n, count(DISTINCT callid) AS d FROM processed_cdrs");
    assertThat(count.out()).isEqualTo("n,d\n400,400\n");
  }

  static Execution awaitFinal(ExecutionStore store, String id, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Execution e = store.get(id).orElseThrow();
    while (!e.status().isFinal() && System.nanoTime() < end) {
      Thread.sleep(100);
      e = store.get(id).orElseThrow();
    }
    return e;
  }
}
