package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.testing.WebhookReceiver;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine: spark} on a real Spark standalone cluster (a master and two workers of one core,
 * each a JVM of its own, from the build's jars): client and cluster deploy mode land the embedded
 * engine's rows; in cluster mode a killed driver fails the execution and leaves the day as it was;
 * a workflow whose process dies is taken over by another process, which follows the same driver
 * through the master's REST server instead of submitting a second one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("cluster")
class SparkStandaloneClusterTest {
  static final String DAY = "2026-11-02";
  static final String ROWS = "SELECT * FROM processed_cdrs ORDER BY callid";

  StandaloneSparkCluster cluster;
  String embeddedRows;

  Path dir;
  WebhookReceiver hook;
  SparkCli cli;

  @BeforeAll
  void startTheCluster(@TempDir Path shared) throws Exception {
    SparkJobEndToEndTest.theJobIsBuilt();
    cluster =
        StandaloneSparkCluster.start(
            Files.createDirectories(shared.resolve("cluster")), List.of(Map.of(), Map.of()));
    // the embedded engine's rows of the day every test generates
    Path embedded = Files.createDirectories(shared.resolve("embedded"));
    assertThat(SparkCli.cdrIn(embedded, generate(DAY)).code()).isZero();
    CliRun local = SparkCli.cdrIn(embedded, "etl", "--date", DAY);
    assertThat(local.code()).as(local.err()).isZero();
    embeddedRows = SparkCli.cdrIn(embedded, "query", "--format", "csv", ROWS).out();
    assertThat(embeddedRows.lines()).hasSize(301);
  }

  @AfterAll
  void stopTheCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void setUp(@TempDir Path d) throws Exception {
    dir = d;
    hook = new WebhookReceiver();
    cli = new SparkCli(dir);
  }

  @AfterEach
  void tearDown() {
    cli.close();
    hook.close();
  }

  /** 300 calls of two voice connectors and a malformed file. */
  static String[] generate(String day) {
    return new String[] {
      "generate", "--date", day, "--calls", "300", "--malformed", "1", "--seed", "21"
    };
  }

  /** cdr.yaml: the cluster in {@code mode}, small JVMs, the webhook; {@code driverOptions}. */
  static void config(
      Path dir,
      StandaloneSparkCluster cluster,
      String mode,
      String driverOptions,
      String more,
      String hook)
      throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "engine: spark\n"
            + "spark:\n"
            + "  master: "
            + cluster.master
            + "\n"
            + "  deployMode: "
            + mode
            + "\n"
            + "  conf:\n"
            + "    spark.master.rest.port: "
            + cluster.restPort
            + "\n"
            // everything on the loopback address; no web UI to start
            + "    spark.driver.host: 127.0.0.1\n"
            + "    spark.ui.enabled: false\n"
            + "    spark.driver.memory: 512m\n"
            + "    spark.executor.memory: 512m\n"
            + "    spark.driver.extraJavaOptions: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
            + driverOptions
            + "'\n"
            + "    spark.executor.extraJavaOptions: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC'\n"
            + more
            + "notifications:\n  - {type: webhook, url: '"
            + hook
            + "'}\n");
  }

  void config(String mode, String driverOptions) throws Exception {
    config(dir, cluster, mode, driverOptions, "", hook.url().toString());
  }

  static String startedId(CliRun r) {
    return r.out()
        .lines()
        .filter(l -> l.startsWith("started "))
        .findFirst()
        .orElseThrow(() -> new AssertionError(r.out() + r.err()))
        .split(" ")[1];
  }

  @Test
  void clientModeLandsTheEmbeddedEnginesRows() throws Exception {
    config("client", "");
    assertThat(cli.cdr(generate(DAY)).code()).isZero();
    CliRun r = cli.cdr("etl", "--date", DAY);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .containsPattern("spark: application app-\\d+-\\d+ RUNNING")
        .containsPattern("spark: application app-\\d+-\\d+ FINISHED");
    assertThat(r.out()).contains(DAY + ": 301 files read, 300 rows written, 1 rejected");
    assertThat(cli.cdr("query", "--format", "csv", ROWS).out()).isEqualTo(embeddedRows);
    assertThat(cli.count()).isEqualTo("n,d\n300,300\n");
  }

  @Test
  void clusterModeFollowsTheDriverThroughTheMasterAndLandsTheEmbeddedEnginesRows()
      throws Exception {
    config("cluster", "");
    assertThat(cli.cdr(generate(DAY)).code()).isZero();
    CliRun r = cli.cdr("start", "daily", "--date", DAY);
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    Execution e = cli.store().get(startedId(r)).orElseThrow();
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    JsonNode etl = e.state().path("etl");
    String driver = etl.path("driverId").asText();
    assertThat(driver).startsWith("driver-");
    assertThat(etl.path("rowsWritten").asLong()).isEqualTo(300);
    assertThat(etl.path("rejected").asLong()).isEqualTo(1);
    // the master's own record: the driver ran on a worker and finished
    assertThat(status(cluster, driver).path("driverState").asText()).isEqualTo("FINISHED");
    assertThat(cli.cdr("query", "--format", "csv", ROWS).out()).isEqualTo(embeddedRows);
  }

  @Test
  void aKilledDriverFailsTheExecutionAndTheDayIsUnchangedUntilARunCommits() throws Exception {
    config("cluster", "-Dcdr.failpoint=etl.after-read:pause");
    assertThat(cli.cdr(generate(DAY)).code()).isZero();
    String history = cli.cdr("table", "history").out();
    String before = cli.count();
    Process owner = cli.child("start", "daily", "--date", DAY);
    Path stdout = awaitDriverLine(cluster, "failpoint etl.after-read paused");
    ProcessHandle driver = cluster.driver().orElseThrow();
    StandaloneSparkCluster.kill(driver);

    assertThat(owner.waitFor(180, TimeUnit.SECONDS)).as("the workflow ends").isTrue();
    assertThat(owner.exitValue()).isEqualTo(1);
    ExecutionStore store = cli.store();
    Execution e = store.list(Optional.empty(), Optional.empty(), 1).get(0);
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    String driverId = stdout.getParent().getFileName().toString();
    assertThat(e.error().orElseThrow())
        .matches(
            "Spark application "
                + driverId
                + " failed: the driver "
                + driverId
                + " is FAILED on worker 127\\.0\\.0\\.1:\\d+ \\(its log: .*\\) \\(spark-submit's log: .*\\)");
    assertThat(hook.await(1, 10_000))
        .singleElement()
        .satisfies(n -> assertThat(n.path("message").asText()).contains("the driver " + driverId));
    assertThat(cli.count()).isEqualTo(before);
    assertThat(cli.cdr("table", "history").out()).isEqualTo(history);

    // the next run commits the day, once
    config("cluster", "");
    CliRun again = cli.cdr("etl", "--date", DAY);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(cli.cdr("query", "--format", "csv", ROWS).out()).isEqualTo(embeddedRows);
  }

  @Test
  void anInterruptedWorkflowKillsItsDriverThroughTheMaster() throws Exception {
    config("cluster", "-Dcdr.failpoint=etl.after-read:pause");
    assertThat(cli.cdr(generate(DAY)).code()).isZero();
    String before = cli.count();
    Process owner = cli.child("start", "daily", "--date", DAY);
    ExecutionStore store = cli.store();
    String id = SparkCli.awaitExecution(store, Duration.ofSeconds(60));
    awaitDriverLine(cluster, "failpoint etl.after-read paused");
    String driverId = awaitDriverId(store, id);
    ProcessHandle driver = awaitDriverProcess(cluster);
    owner.destroy(); // SIGTERM, as Ctrl-C
    assertThat(owner.waitFor(120, TimeUnit.SECONDS)).as("cdr start ends").isTrue();
    assertThat(owner.exitValue()).isEqualTo(143);
    assertThat(store.get(id).orElseThrow().status()).isEqualTo(ExecutionStatus.ABORTED);
    // the master killed the driver it was asked to: its record says so, and its JVM is gone
    assertThat(status(cluster, driverId).path("driverState").asText()).isEqualTo("KILLED");
    driver.onExit().get(60, TimeUnit.SECONDS);
    assertThat(cli.count()).isEqualTo(before);
  }

  @Test
  void aProcessTakingTheWorkflowOverFollowsTheSameDriverAndTheDayLandsOnce() throws Exception {
    config("cluster", "");
    assertThat(cli.cdr(generate(DAY)).code()).isZero();
    Process owner = cli.child("start", "daily", "--date", DAY);
    ExecutionStore store = cli.store();
    String id = SparkCli.awaitExecution(store, Duration.ofSeconds(60));
    String driverId = awaitDriverId(store, id);
    ProcessHandle driver = awaitDriverProcess(cluster);
    // the driver is held still while the workflow changes hands, so that it is surely running
    signal("STOP", driver);
    try {
      StandaloneSparkCluster.kill(owner.toHandle()); // the submitting machine goes down
      Process service = cli.child("serve", "--port", "0", "--no-schedules");
      awaitProgress(
          store,
          id,
          "found Spark application "
              + driverId
              + " still running (its driver on the cluster): waiting for it");
    } finally {
      signal("CONT", driver);
    }
    Execution done = WorkflowCliTest.awaitFinal(store, id, Duration.ofSeconds(240));
    assertThat(done.status())
        .as(String.join("\n", store.events(id).stream().map(Object::toString).toList()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.state().path("etl").path("driverId").asText()).isEqualTo(driverId);
    assertThat(store.events(id))
        .filteredOn(
            ev ->
                ev.type() == ExecutionEvent.Type.STEP_PROGRESS
                    && ev.detail().orElse("").startsWith("submitted"))
        .hasSize(1);
    assertThat(status(cluster, driverId).path("driverState").asText()).isEqualTo("FINISHED");
    assertThat(cli.count()).isEqualTo("n,d\n300,300\n");
    assertThat(cli.cdr("query", "--format", "csv", ROWS).out()).isEqualTo(embeddedRows);
  }

  // ---------------------------------------------------------------- helpers

  static JsonNode status(StandaloneSparkCluster c, String driverId) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(c.rest() + "/v1/submissions/status/" + driverId))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
  }

  /** The stdout of the driver a worker runs, once it holds {@code line}. */
  static Path awaitDriverLine(StandaloneSparkCluster c, String line) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(240).toNanos();
    while (System.nanoTime() < end) {
      for (Path p : c.logs("stdout")) {
        if (p.getParent().getFileName().toString().startsWith("driver-")
            && StandaloneSparkCluster.read(p).contains(line)) {
          return p;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no driver printed '" + line + "'");
  }

  static ProcessHandle awaitDriverProcess(StandaloneSparkCluster c) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < end) {
      Optional<ProcessHandle> d = c.driver();
      if (d.isPresent()) {
        return d.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no driver on the workers");
  }

  /** The driver id the execution's etl step keeps in its checkpoint, once it has one. */
  static String awaitDriverId(ExecutionStore store, String id) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < end) {
      JsonNode s = store.get(id).map(e -> e.state().path("checkpoints").path("etl")).orElse(null);
      if (s != null && s.path("driverId").isTextual()) {
        return s.path("driverId").asText();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no driver id in the checkpoint of " + id);
  }

  static void awaitProgress(ExecutionStore store, String id, String detail) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < end) {
      if (store.events(id).stream().anyMatch(e -> e.detail().orElse("").equals(detail))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no event '"
            + detail
            + "' in:\n"
            + String.join("\n", store.events(id).stream().map(Object::toString).toList()));
  }

  static void signal(String signal, ProcessHandle p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }
}
