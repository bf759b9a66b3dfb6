package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.testing.WebhookReceiver;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machines of a Spark standalone cluster failing under a run: a worker killed while its
 * executor runs a task (Spark runs the task again elsewhere; the day lands whole and once), and the
 * master stopped while a cluster-mode driver runs (the execution fails with one line and its
 * notification; the day is as it was). Each test has a cluster of its own.
 */
@Tag("cluster")
class SparkStandaloneClusterFaultTest {
  static final String DAY = "2026-11-06";

  @TempDir Path dir;
  WebhookReceiver hook;
  SparkCli cli;
  StandaloneSparkCluster cluster;

  @BeforeAll
  static void theJobIsBuilt() {
    SparkJobEndToEndTest.theJobIsBuilt();
  }

  @BeforeEach
  void setUp() throws Exception {
    hook = new WebhookReceiver();
    cli = new SparkCli(dir);
  }

  @AfterEach
  void tearDown() {
    cli.close();
    hook.close();
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aWorkerKilledWhileItsTaskRunsLeavesTheDayWholeAndOnce() throws Exception {
    // the executors of worker 0 (and only those) hold still on their 5th file: the kill below
    // surely lands while one of its tasks runs
    cluster =
        StandaloneSparkCluster.start(
            Files.createDirectories(dir.resolve("cluster")),
            List.of(Map.of("JAVA_TOOL_OPTIONS", "-Dcdr.failpoint=etl.read@5:pause"), Map.of()));
    SparkStandaloneClusterTest.config(
        dir,
        cluster,
        "client",
        "",
        // both executors registered before the first task, one task each
        "    spark.cores.max: 2\n"
            + "    spark.scheduler.minRegisteredResourcesRatio: 1.0\n"
            + "    spark.scheduler.maxRegisteredResourcesWaitingTime: 180s\n",
        hook.url().toString());
    // two read tasks (256 files at least each)
    assertThat(cli.cdr("generate", "--date", DAY, "--calls", "600", "--seed", "5").code()).isZero();
    Process etl = cli.child("etl", "--date", DAY);
    awaitExecutorLine(cluster, 0, "failpoint etl.read paused");
    cluster.killWorker(0);

    assertThat(etl.waitFor(300, TimeUnit.SECONDS)).as("the run ends").isTrue();
    String out = StandaloneSparkCluster.read(dir.resolve("child-0.log"));
    assertThat(etl.exitValue()).as(out).isZero();
    assertThat(out).contains(DAY + ": 600 files read, 600 rows written, 0 rejected");
    // Spark lost the executor of the killed worker with its running task, and ran the task again
    assertThat(driverLog())
        .containsPattern("Lost executor \\d+ on 127\\.0\\.0\\.1: worker lost")
        .containsPattern(
            "task \\d+\\.0 in stage \\S+ \\(TID \\d+\\) failed because while it was being computed,"
                + " its executor exited")
        .containsPattern("Starting task \\d+\\.1 in stage ");
    assertThat(cli.count()).isEqualTo("n,d\n600,600\n");
  }

  @Test
  void aStoppedMasterFailsTheExecutionWithOneLineAndItsNotification() throws Exception {
    cluster =
        StandaloneSparkCluster.start(
            Files.createDirectories(dir.resolve("cluster")), List.of(Map.of(), Map.of()));
    SparkStandaloneClusterTest.config(
        dir, cluster, "cluster", "-Dcdr.failpoint=etl.after-read:pause", "", hook.url().toString());
    assertThat(cli.cdr("generate", "--date", DAY, "--calls", "100", "--seed", "6").code()).isZero();
    String history = cli.cdr("table", "history").out();
    String before = cli.count();
    Process owner = cli.child("start", "daily", "--date", DAY);
    Path stdout =
        SparkStandaloneClusterTest.awaitDriverLine(cluster, "failpoint etl.after-read paused");
    String driverId = stdout.getParent().getFileName().toString();
    cluster.stopMaster();

    assertThat(owner.waitFor(240, TimeUnit.SECONDS)).as("the workflow ends").isTrue();
    assertThat(owner.exitValue()).isEqualTo(1);
    Execution e = cli.store().list(Optional.empty(), Optional.empty(), 1).get(0);
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error().orElseThrow())
        .doesNotContain("\n")
        .matches(
            "Spark application "
                + driverId
                + " failed: the Spark master no longer answers \\(http://127\\.0\\.0\\.1:"
                + cluster.restPort
                + ": .*\\) for 30 s; its driver "
                + driverId
                + " may still run \\(spark-submit's log: .*\\)");
    assertThat(hook.await(1, 10_000))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.path("subject").asText()).isEqualTo("Error Processing CDRs");
              assertThat(n.path("message").asText()).contains("the Spark master no longer answers");
            });
    assertThat(cli.count()).isEqualTo(before);
    assertThat(cli.cdr("table", "history").out()).isEqualTo(history);
  }

  /** The stdout of an executor of worker {@code worker}, once it holds {@code line}. */
  static void awaitExecutorLine(StandaloneSparkCluster c, int worker, String line)
      throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(240).toNanos();
    while (System.nanoTime() < end) {
      for (Path p : c.logs("stdout")) {
        if (p.startsWith(c.workDir(worker))
            && p.getParent().getParent().getFileName().toString().startsWith("app-")
            && StandaloneSparkCluster.read(p).contains(line)) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no executor of worker " + worker + " printed '" + line + "'");
  }

  /** The client-mode driver's log of the one run. */
  String driverLog() throws Exception {
    try (var s = Files.list(dir.resolve("data/state/spark"))) {
      Path d =
          s.filter(p -> p.getFileName().toString().startsWith("etl-")).findFirst().orElseThrow();
      return Files.readString(d.resolve("driver.err"));
    }
  }
}
