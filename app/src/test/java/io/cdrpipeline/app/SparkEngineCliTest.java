package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.testing.WebhookReceiver;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine: spark}: {@code cdr etl} and the workflows submit the job through SparkLauncher in
 * a JVM of its own (here a Spark installation whose spark-submit runs {@link FakeSparkSubmit},
 * which keeps the job's contract), follow it to its end, and resume it after a kill.
 */
class SparkEngineCliTest {
  @TempDir Path dir;
  WebhookReceiver hook;
  SparkCli cli;

  @BeforeEach
  void setUp() throws Exception {
    hook = new WebhookReceiver();
    cli = new SparkCli(dir);
    FakeSparkSubmit.install(dir);
    Files.write(dir.resolve("job.jar"), new byte[] {'P', 'K', 3, 4});
    config("");
  }

  @AfterEach
  void tearDown() {
    hook.close();
    cli.close();
  }

  /** Writes cdr.yaml: the Spark engine on the fake installation, the webhook, and {@code more}. */
  void config(String more) throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "engine: spark\n"
            + "spark:\n  submit: fake-spark\n  jobJar: job.jar\n  master: local[2]\n"
            + more
            + "notifications:\n  - {type: webhook, url: '"
            + hook.url()
            + "'}\n");
  }

  /** The conf lines of the spark block that steer the fake job. */
  static String conf(String... keyValues) {
    StringBuilder b = new StringBuilder("  conf:\n");
    for (int i = 0; i < keyValues.length; i += 2) {
      b.append("    ").append(keyValues[i]).append(": '").append(keyValues[i + 1]).append("'\n");
    }
    return b.toString();
  }

  @Test
  void etlOnSparkPrintsWhatTheEmbeddedEnginePrints() throws Exception {
    assertThat(
            cli.cdr(
                    "generate",
                    "--date",
                    "2026-11-02",
                    "--calls",
                    "60",
                    "--malformed",
                    "1",
                    "--seed",
                    "3")
                .code())
        .isZero();
    CliRun spark = cli.cdr("etl", "--date", "2026-11-02");
    assertThat(spark.code()).as(spark.err()).isZero();
    assertThat(spark.err()).contains("spark: application etl-");

    Path embedded = dir.resolve("embedded");
    Files.createDirectories(embedded);
    assertThat(
            SparkCli.cdrIn(
                    embedded,
                    "generate",
                    "--date",
                    "2026-11-02",
                    "--calls",
                    "60",
                    "--malformed",
                    "1",
                    "--seed",
                    "3")
                .code())
        .isZero();
    CliRun local = SparkCli.cdrIn(embedded, "etl", "--date", "2026-11-02");
    assertThat(local.code()).as(local.err()).isZero();
    // the same counts and rejections; only the time and where the files are differ
    assertThat(SparkCli.withoutTimes(spark.out())).isEqualTo(SparkCli.withoutTimes(local.out()));
    assertThat(spark.out())
        .containsPattern("2026-11-02: [\\d,]+ files read, 60 rows written, \\d+ rejected");
    assertThat(cli.count()).isEqualTo("n,d\n60,60\n");

    // the driver ran in a JVM of its own, which logged the job it was given
    Path logs = dir.resolve("data/state/spark");
    try (var s = Files.list(logs)) {
      Path driverErr =
          s.filter(p -> p.getFileName().toString().startsWith("etl-"))
              .findFirst()
              .orElseThrow()
              .resolve("driver.err");
      assertThat(Files.readString(driverErr))
          .contains(
              "fake-spark-submit: io.cdrpipeline.spark.SparkEtlApp from " + dir.resolve("job.jar"));
    }
  }

  @Test
  void aResultLineWithOnlyTheTotalsGetsItsDaysFromTheCatalog() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-10", "--calls", "25").code()).isZero();
    config(conf("spark.cdr.fake.totalsOnly", "true"));
    CliRun r = cli.cdr("etl", "--date", "2026-11-10");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("^2026-11-10: 25 files read, 25 rows written, 0 rejected, ");
  }

  @Test
  void aFailingApplicationIsOneLineAndLeavesTheTableUnchanged() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-03", "--calls", "40").code()).isZero();
    assertThat(cli.cdr("etl", "--date", "2026-11-03").code()).isZero();
    String history = cli.cdr("table", "history").out();
    assertThat(cli.cdr("generate", "--date", "2026-11-03", "--calls", "70", "--seed", "9").code())
        .isZero();
    config(conf("spark.cdr.fake.fail", "cannot reach the catalog database"));
    CliRun r = cli.cdr("etl", "--date", "2026-11-03");
    assertThat(r.code()).isEqualTo(1);
    List<String> errors = r.err().lines().filter(l -> !l.startsWith("spark: application")).toList();
    assertThat(errors)
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .matches(
                        "error: Spark application etl-\\S+ failed: cannot reach the catalog database \\(driver log: .*/driver\\.err\\)"));
    assertThat(cli.count()).isEqualTo("n,d\n40,40\n");
    assertThat(cli.cdr("table", "history").out()).isEqualTo(history);
  }

  /** The Spark driver logs' folders: one per application submitted. */
  long submissions() throws Exception {
    Path logs = dir.resolve("data/state/spark");
    if (!Files.isDirectory(logs)) {
      return 0;
    }
    try (var s = Files.list(logs)) {
      return s.filter(p -> p.getFileName().toString().startsWith("etl-")).count();
    }
  }

  @Test
  void aDayThatLostItsRawFilesIsRefusedBeforeAnyApplicationIsSubmittedAndForceReachesTheJob()
      throws Exception {
    assertThat(
            cli.cdr("generate", "--date", "2026-11-05", "--calls", "10", "--connectors", "1")
                .code())
        .isZero();
    assertThat(cli.cdr("etl", "--date", "2026-11-05").code()).isZero();
    assertThat(submissions()).isEqualTo(1);
    String history = cli.cdr("table", "history").out();
    Path folder;
    try (var vcs =
        Files.list(dir.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json"))) {
      folder = vcs.findFirst().orElseThrow().resolve("2026/11/05");
    }
    List<Path> files;
    try (var s = Files.list(folder)) {
      files = s.sorted().toList();
    }
    for (Path f : files.subList(0, 6)) {
      Files.delete(f); // 10 -> 4 raw files: beyond the default etl.maxShrink of 50%
    }
    CliRun daily = cli.cdr("start", "daily", "--date", "2026-11-05");
    assertThat(daily.code()).isEqualTo(1);
    assertThat(daily.out())
        .contains("FAILED: ETL of 2026-11-05 refused: 2026-11-05 has 4 raw files in ");
    CliRun etl = cli.cdr("etl", "--date", "2026-11-05");
    assertThat(etl.code()).isEqualTo(1);
    assertThat(etl.err().strip())
        .startsWith("error: ETL of 2026-11-05 refused: ")
        .doesNotContain("\n");
    assertThat(submissions()).isEqualTo(1); // refused before any application was submitted
    assertThat(cli.count()).isEqualTo("n,d\n10,10\n");
    assertThat(cli.cdr("table", "history").out()).isEqualTo(history);

    // forced: the job is given --force and replaces the day
    CliRun forced =
        cli.cdr("start", "daily", "--input", "{\"Date\":\"2026-11-05\",\"Force\":true}");
    assertThat(forced.code()).as(forced.out() + forced.err()).isZero();
    assertThat(submissions()).isEqualTo(2);
    assertThat(cli.count()).isEqualTo("n,d\n4,4\n");
  }

  @Test
  void aDriverWhoseJvmCannotStartSaysWhyInItsOneLine() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-11", "--calls", "10").code()).isZero();
    config(
        conf(
            "spark.driver.memory",
            "banana")); // spark-submit gives it to the driver's JVM as -Xmxbanana
    CliRun r = cli.cdr("etl", "--date", "2026-11-11");
    assertThat(r.code()).isEqualTo(1);
    List<String> errors = r.err().lines().filter(l -> !l.startsWith("spark: application")).toList();
    assertThat(errors)
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .matches(
                        "error: Spark application etl-\\S+ failed: the driver's JVM did not start: "
                            + "Invalid maximum heap size: -Xmxbanana \\(driver log: .*/driver\\.err\\)"));
    assertThat(cli.count()).isEqualTo("n,d\n0,0\n");
  }

  @Test
  void theDailyWorkflowSubmitsTheApplicationAndRecordsIt() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-04", "--calls", "50").code()).isZero();
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-04");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    String id =
        r.out()
            .lines()
            .filter(l -> l.startsWith("started "))
            .findFirst()
            .orElseThrow()
            .split(" ")[1];
    Execution e = cli.store().get(id).orElseThrow();
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    JsonNode etl = e.state().path("etl");
    assertThat(etl.path("engine").asText()).isEqualTo("spark");
    assertThat(etl.path("rowsWritten").asLong()).isEqualTo(50);
    assertThat(etl.path("daysProcessed").asLong()).isEqualTo(1);
    assertThat(etl.path("date").asText()).isEqualTo("2026-11-04");
    assertThat(etl.path("submission").asText()).startsWith("etl-");
    assertThat(e.state().has("checkpoints")).isFalse();
    assertThat(cli.progress(id))
        .singleElement()
        .satisfies(
            ev ->
                assertThat(ev.detail().orElse(""))
                    .startsWith(
                        "submitted Spark application "
                            + etl.path("submission").asText()
                            + " (local[2], pid "));
    assertThat(cli.count()).isEqualTo("n,d\n50,50\n");
    assertThat(hook.await(1, 10_000))
        .singleElement()
        .satisfies(
            n -> assertThat(n.path("subject").asText()).isEqualTo("Processing CDRs Complete"));
    // the driver logs and the product's own spark-submit are the product's: destroy removes them
    assertThat(dir.resolve("data/state/spark")).isDirectory();
    CliRun destroy = cli.cdr("destroy", "--yes");
    assertThat(destroy.code()).as(destroy.out() + destroy.err()).isZero();
    assertThat(dir.resolve("data/state/spark")).doesNotExist();
  }

  @Test
  void aFailingApplicationEndsTheExecutionFailedWithTheErrorNotification() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-05", "--calls", "30").code()).isZero();
    config(conf("spark.cdr.fake.fail", "Iceberg commit refused"));
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-05");
    assertThat(r.code()).isEqualTo(1);
    String id =
        r.out()
            .lines()
            .filter(l -> l.startsWith("started "))
            .findFirst()
            .orElseThrow()
            .split(" ")[1];
    Execution e = cli.store().get(id).orElseThrow();
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(e.error().orElseThrow())
        .startsWith("Spark application etl-")
        .contains("failed: Iceberg commit refused");
    assertThat(hook.await(1, 10_000))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.path("subject").asText()).isEqualTo("Error Processing CDRs");
              assertThat(n.path("message").asText()).contains("Iceberg commit refused");
              assertThat(n.path("status").asText()).isEqualTo("FAILED");
            });
    assertThat(cli.store().events(id))
        .filteredOn(ev -> ev.type() == ExecutionEvent.Type.STEP_RETRIED)
        .isEmpty();
    assertThat(cli.count()).isEqualTo("n,d\n0,0\n");
  }

  @Test
  void theStepTimeoutKillsTheApplicationAndTimesTheExecutionOut() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-06", "--calls", "20").code()).isZero();
    config(conf("spark.cdr.fake.sleep", "600000") + "timeouts: {daily: 8s}\n");
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-06");
    assertThat(r.code()).isEqualTo(1);
    String id =
        r.out()
            .lines()
            .filter(l -> l.startsWith("started "))
            .findFirst()
            .orElseThrow()
            .split(" ")[1];
    Execution e = cli.store().get(id).orElseThrow();
    assertThat(e.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
    long pid = e.state().path("checkpoints").path("etl").path("pid").asLong();
    assertThat(pid).isPositive();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("the driver was killed")
        .isFalse();
    assertThat(hook.await(1, 10_000))
        .singleElement()
        .satisfies(n -> assertThat(n.path("status").asText()).isEqualTo("TIMED_OUT"));
    assertThat(cli.count()).isEqualTo("n,d\n0,0\n");
  }

  @Test
  void afterTheOwnerIsKilledTheServiceWaitsForTheStillRunningApplication() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-07", "--calls", "80", "--seed", "4").code())
        .isZero();
    Path hold = Files.writeString(dir.resolve("hold"), "");
    config(conf("spark.cdr.fake.holdWhile", hold.toString()));
    Process owner = cli.child("start", "daily", "--date", "2026-11-07");
    ExecutionStore store = cli.store();
    String id = SparkCli.awaitExecution(store, Duration.ofSeconds(60));
    JsonNode s = SparkCli.submission(store, id, Duration.ofSeconds(60));
    SparkCli.awaitLine(
        Path.of(s.path("driverOut").asText()), "fake: holding", Duration.ofSeconds(60));
    owner.destroyForcibly(); // kill -9 of cdr start: its application goes on
    assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long driver = s.path("pid").asLong();
    assertThat(ProcessHandle.of(driver).map(ProcessHandle::isAlive).orElse(false)).isTrue();

    String found =
        "found Spark application " + s.path("tag").asText() + " still running (pid " + driver + ")";
    Process first = cli.child("serve", "--port", "0", "--no-schedules");
    cli.awaitProgress(id, 2);
    assertThat(cli.progress(id))
        .last()
        .satisfies(ev -> assertThat(ev.detail().orElse("")).startsWith(found));
    WorkflowCliTest.signal(
        first, "TERM"); // the service stops: it hands the execution over, the application goes on
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(store.events(id))
        .last()
        .satisfies(
            ev -> assertThat(ev.type()).isEqualTo(ExecutionEvent.Type.EXECUTION_HANDED_OVER));
    assertThat(ProcessHandle.of(driver).map(ProcessHandle::isAlive).orElse(false)).isTrue();

    Process service = cli.child("serve", "--port", "0", "--no-schedules");
    cli.awaitProgress(id, 3);
    assertThat(cli.progress(id))
        .last()
        .satisfies(ev -> assertThat(ev.detail().orElse("")).startsWith(found));
    Files.delete(hold); // the application goes on and ends
    Execution done = WorkflowCliTest.awaitFinal(store, id, Duration.ofSeconds(90));
    assertThat(done.status())
        .as(String.join("\n", store.events(id).stream().map(Object::toString).toList()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.state().path("etl").path("submission").asText())
        .isEqualTo(s.path("tag").asText());
    assertThat(store.events(id))
        .filteredOn(
            ev ->
                ev.type() == ExecutionEvent.Type.STEP_PROGRESS
                    && ev.detail().orElse("").startsWith("submitted"))
        .hasSize(1);
    io.cdrpipeline.testing.Processes.stop(service, Duration.ofSeconds(60));
    assertThat(cli.count()).isEqualTo("n,d\n80,80\n");
  }

  @Test
  void aKilledDriverIsSubmittedAgainByTheResumedWorkflowAndTheDayLandsOnce() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-08", "--calls", "300", "--seed", "5").code())
        .isZero();
    config(conf("spark.cdr.fake.failpoint", "etl.read@100:pause"));
    Process owner = cli.child("start", "daily", "--date", "2026-11-08");
    ExecutionStore store = cli.store();
    String id = SparkCli.awaitExecution(store, Duration.ofSeconds(60));
    JsonNode s = SparkCli.submission(store, id, Duration.ofSeconds(60));
    SparkCli.awaitLine(
        Path.of(s.path("driverOut").asText()), "failpoint etl.read paused", Duration.ofSeconds(60));
    owner.destroyForcibly(); // the machine goes down: first the owner, then the driver, halfway
    // through the day
    assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
    ProcessHandle driver = ProcessHandle.of(s.path("pid").asLong()).orElseThrow();
    driver.destroyForcibly();
    driver.onExit().get(30, TimeUnit.SECONDS);

    config(""); // the next run goes through
    Process service = cli.child("serve", "--port", "0", "--no-schedules");
    Execution done = WorkflowCliTest.awaitFinal(store, id, Duration.ofSeconds(120));
    assertThat(done.status())
        .as(String.join("\n", store.events(id).stream().map(Object::toString).toList()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(store.events(id))
        .filteredOn(
            ev ->
                ev.type() == ExecutionEvent.Type.STEP_PROGRESS
                    && ev.detail().orElse("").startsWith("submitted"))
        .hasSize(2);
    assertThat(done.state().path("etl").path("submission").asText())
        .isNotEqualTo(s.path("tag").asText());
    io.cdrpipeline.testing.Processes.stop(service, Duration.ofSeconds(60));
    assertThat(cli.count()).isEqualTo("n,d\n300,300\n");
  }

  @Test
  void aSignalToCdrEtlStopsTheApplicationBeforeTheCommandEnds() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-09", "--calls", "20").code()).isZero();
    config(conf("spark.cdr.fake.sleep", "600000"));
    Process etl = cli.child("etl", "--date", "2026-11-09");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Optional<ProcessHandle> driver = Optional.empty();
    while (driver.isEmpty() && System.nanoTime() < end) {
      driver =
          etl.descendants()
              .filter(
                  p ->
                      p.info()
                          .arguments()
                          .map(a -> String.join(" ", a))
                          .orElse("")
                          .contains(SparkJob.TAG_CONF + "=etl-"))
              .findFirst();
      Thread.sleep(50);
    }
    assertThat(driver).as("the driver runs in a process of its own").isPresent();
    WorkflowCliTest.signal(etl, "TERM");
    assertThat(etl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(driver.get().onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
    assertThat(Files.readString(dir.resolve("child-0.log")))
        .contains("interrupted: the Spark application was stopped");
    assertThat(cli.count()).isEqualTo("n,d\n0,0\n");
  }
}
