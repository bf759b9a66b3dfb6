package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.service.ServiceStandIn;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.app.spark.SparkLine;
import io.cdrpipeline.testing.Processes;
import io.cdrpipeline.testing.S3Server;
import io.cdrpipeline.testing.WebhookReceiver;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every managed service the ETL step submits to must do, against a local stand-in of the
 * service's API (endpoint override) and an in-process S3 for {@code spark.staging} and the job jar:
 * a run that succeeds lands the day (the stand-in runs the real job on the arguments the product
 * sent); a failed run, a run past its time and a run the user stops end the execution as the
 * workflow says, with its notification, the table unchanged; a process killed mid-run is followed
 * by the next one, which finds the same run (no second start) and lands the day once.
 */
abstract class ServiceSubmitContract {
  static S3Server s3;
  static boolean jobBuilt;

  @TempDir Path dir;
  WebhookReceiver hook;
  SparkCli cli;
  ServiceStandIn service;
  final List<Process> children = new ArrayList<>();

  /** The stand-in of the service, whose runs' working folders go under {@code root}. */
  abstract ServiceStandIn standIn(S3Server s3, Path root) throws Exception;

  /**
   * The lines of the {@code spark:} block after {@code submit}, {@code jobJar}, {@code staging}.
   */
  abstract String serviceBlock(URI endpoint);

  /** {@code glue} or {@code emr}. */
  abstract String submit();

  /** The actions that start, poll and stop a run. */
  abstract String startAction();

  abstract String pollAction();

  abstract String stopAction();

  /** The key of the run's id in the etl step's output. */
  abstract String idKey();

  /** How messages name a run. */
  abstract String noun();

  /** The service's states: running, succeeded, stopped. */
  abstract List<String> runningSucceeded();

  abstract String stoppedState();

  /** The run ids a stop request names. */
  abstract List<String> stopped(JsonNode stopRequest);

  @BeforeAll
  static void s3() throws Exception {
    s3 = new S3Server();
    s3.createBucket("cdr-jars");
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    Path root = SparkJob.buildRoot().orElseThrow();
    Path jar = SparkLine.SPARK_3_5.jar(root);
    jobBuilt =
        Files.isRegularFile(jar)
            && Files.isRegularFile(root.resolve("spark/spark-3.5/target/spark-classpath-3.5.txt"));
    try (var store = s3.store("cdr-jars", "", 4)) {
      store.put(
          "jars/" + SparkLine.SPARK_3_5.jarName(),
          jobBuilt ? Files.readAllBytes(jar) : new byte[] {'P', 'K', 3, 4});
    }
  }

  @AfterAll
  static void stopS3() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    s3.close();
  }

  /** The tests that run the real job need it built (mvn verify builds it before this module). */
  static void needsTheJob() {
    String why =
        "the Spark 3.5 job is not built: mvn -B -DskipTests -pl spark/spark-3.5 -am package (mvn verify builds it first)";
    if (!jobBuilt && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(why);
    }
    Assumptions.assumeTrue(jobBuilt, why);
  }

  @BeforeEach
  void setUp() throws Exception {
    hook = new WebhookReceiver();
    cli = new SparkCli(dir);
    service = standIn(s3, dir.resolve("service"));
    config("");
  }

  @AfterEach
  void tearDown() {
    for (Process p : children) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    cli.close();
    service.close();
    hook.close();
  }

  /**
   * The config: every place an absolute path (the job on the service reads a copy of this file in
   * another folder), the service at its stand-in, and {@code more} at the top level.
   */
  void config(String more) throws Exception {
    Path data = dir.resolve("data");
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "engine: spark\n"
            + "cdrBucket: "
            + data.resolve("cdr-bucket")
            + "\nprocessedBucket: "
            + data.resolve("processed")
            + "\nreportsBucket: "
            + data.resolve("reports")
            + "\nstateDir: "
            + data.resolve("state")
            + "\ns3: {endpoint: '"
            + s3.endpoint()
            + "', region: us-east-1}\n"
            + "spark:\n  submit: "
            + submit()
            + "\n  jobJar: s3://cdr-jars/jars/"
            + SparkLine.SPARK_3_5.jarName()
            + "\n  staging: s3://cdr-jars/staging/\n  executors: 1\n"
            + serviceBlock(service.endpoint())
            + "notifications:\n  - {type: webhook, url: '"
            + hook.url()
            + "'}\n"
            + more);
  }

  void generate(String day, int calls) {
    CliRun g =
        cli.cdr("generate", "--date", day, "--calls", Integer.toString(calls), "--seed", "5");
    assertThat(g.code()).as(g.err()).isZero();
  }

  static String started(CliRun r) {
    return r.out()
        .lines()
        .filter(l -> l.startsWith("started "))
        .findFirst()
        .orElseThrow(() -> new AssertionError(r.out() + r.err()))
        .split(" ")[1];
  }

  /** The CLI in a child JVM that finds the in-process S3's credentials; output in child-N.log. */
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
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child-" + children.size() + ".log").toFile());
    pb.environment().put("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
    Process p = pb.start();
    children.add(p);
    return p;
  }

  /** The run id the execution's etl step saved in its checkpoint, once it saved one. */
  String savedRunId(ExecutionStore store, String id) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < end) {
      JsonNode s = store.get(id).map(e -> e.state().path("checkpoints").path("etl")).orElse(null);
      if (s != null && s.path("runId").isTextual()) {
        return s.path("runId").asText();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no run id saved by " + id + ": " + logs());
  }

  String logs() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < children.size(); i++) {
      try {
        b.append("\n--- child ").append(i).append('\n');
        b.append(Files.readString(dir.resolve("child-" + i + ".log")));
      } catch (Exception e) {
        b.append(e);
      }
    }
    return b.toString();
  }

  String history() {
    return cli.cdr("table", "history").out();
  }

  @Test
  void aRunThatSucceedsLandsTheDayAndTheStepShowsTheRun() throws Exception {
    needsTheJob();
    generate("2026-11-02", 150);
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-02");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    Execution e = cli.store().get(started(r)).orElseThrow();
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(service.calls(startAction())).hasSize(1);
    ServiceStandIn.Run run = service.runs().get(0);
    assertThat(run.answered).as(run.work().toString()).containsSubsequence(runningSucceeded());
    JsonNode etl = e.state().path("etl");
    assertThat(etl.path(idKey()).asText()).isEqualTo(run.id);
    assertThat(etl.path("service").asText()).isEqualTo(submit());
    assertThat(etl.path("rowsWritten").asLong()).isEqualTo(150);
    assertThat(cli.count()).isEqualTo("n,d\n150,150\n");
    assertThat(cli.progress(e.id()))
        .anySatisfy(
            ev ->
                assertThat(ev.detail().orElse("")).startsWith("started " + noun() + " " + run.id));
    // the job read the config's copy the product put on S3, in its working folder
    assertThat(run.work().resolve("cdr.yaml")).hasSameTextualContentAs(dir.resolve("cdr.yaml"));
    assertThat(Files.readString(run.work().resolve("driver.out"))).contains("CDR-ETL-RESULT ");
    afterSuccess(e);
  }

  /**
   * What a service checks further after {@link #aRunThatSucceedsLandsTheDayAndTheStepShowsTheRun}.
   */
  void afterSuccess(Execution e) throws Exception {}

  /** Fails the execution as a failed run of the service, with the service's reason. */
  void failedRun(ServiceStandIn.Plan plan, String... reason) throws Exception {
    generate("2026-11-03", 30);
    String before = history();
    service.next(plan);
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-03");
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
    Execution e = cli.store().get(started(r)).orElseThrow();
    assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
    String id = service.runs().get(0).id;
    assertThat(e.error().orElseThrow()).startsWith(noun() + " " + id + " (").contains(reason);
    assertThat(hook.await(1, 10_000))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.path("subject").asText()).isEqualTo("Error Processing CDRs");
              assertThat(n.path("message").asText()).contains(noun() + " " + id);
            });
    assertThat(service.calls(startAction())).hasSize(1);
    assertThat(history()).isEqualTo(before);
  }

  @Test
  void theWorkflowsTimeoutStopsTheRunAndEndsTheExecutionTimedOut() throws Exception {
    generate("2026-11-04", 30);
    config("timeouts: {daily: 15s}\n");
    String before = history();
    service.next(ServiceStandIn.Plan.held());
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-04");
    assertThat(r.code()).as(r.out() + r.err()).isNotZero();
    Execution e = cli.store().get(started(r)).orElseThrow();
    assertThat(e.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
    ServiceStandIn.Run run = service.runs().get(0);
    assertThat(service.calls(stopAction()))
        .singleElement()
        .satisfies(c -> assertThat(stopped(c.body())).containsExactly(run.id));
    assertThat(run.answered).contains(stoppedState());
    assertThat(hook.await(1, 10_000)).hasSize(1);
    assertThat(history()).isEqualTo(before);
  }

  @Test
  void executionsStopStopsTheRunOnTheService() throws Exception {
    generate("2026-11-05", 30);
    String before = history();
    service.next(ServiceStandIn.Plan.held());
    Process owner = child("start", "daily", "--date", "2026-11-05");
    ExecutionStore store = cli.store();
    String id = SparkCli.awaitExecution(store, Duration.ofSeconds(60));
    String runId = savedRunId(store, id);
    CliRun stop = cli.cdr("executions", "stop", id);
    assertThat(stop.code()).as(stop.err()).isZero();
    assertThat(owner.waitFor(90, TimeUnit.SECONDS)).as(logs()).isTrue();
    Execution e = store.get(id).orElseThrow();
    assertThat(e.status()).as(logs()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(service.calls(stopAction()))
        .singleElement()
        .satisfies(c -> assertThat(stopped(c.body())).containsExactly(runId));
    assertThat(service.runs().get(0).answered).contains(stoppedState());
    assertThat(history()).isEqualTo(before);
  }

  @Test
  void aProcessKilledMidRunIsFollowedByTheNextOneWhichFindsTheSameRun() throws Exception {
    needsTheJob();
    generate("2026-11-06", 120);
    CountDownLatch release = new CountDownLatch(1);
    service.next(ServiceStandIn.Plan.heldThenJob(release));
    Process owner = child("start", "daily", "--date", "2026-11-06");
    ExecutionStore store = cli.store();
    String id = SparkCli.awaitExecution(store, Duration.ofSeconds(60));
    String runId = savedRunId(store, id);
    owner.destroyForcibly(); // the machine goes down in the middle of the run
    assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int polls = service.calls(pollAction()).size();
    Process next = child("serve", "--port", "0", "--no-schedules");
    // the next process takes the execution over once the lease is stale, and asks for the same run
    service.await(pollAction(), polls + 1, Duration.ofSeconds(180));
    release.countDown();
    Execution done;
    try {
      done = WorkflowCliTest.awaitFinal(store, id, Duration.ofSeconds(240));
    } catch (RuntimeException e) {
      throw new AssertionError(
          e + " " + logs() + "\n" + java.nio.file.Files.list(dir.resolve("data/state")).toList(),
          e);
    }
    assertThat(done.status())
        .as(store.events(id).stream().map(Object::toString).toList() + logs())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(service.calls(startAction())).hasSize(1);
    assertThat(service.runs()).singleElement().satisfies(r -> assertThat(r.id).isEqualTo(runId));
    assertThat(done.state().path("etl").path(idKey()).asText()).isEqualTo(runId);
    assertThat(store.events(id))
        .filteredOn(ev -> ev.type() == ExecutionEvent.Type.STEP_PROGRESS)
        .anySatisfy(
            ev ->
                // starting or running, as the service says when the next process asks
                assertThat(ev.detail().orElse(""))
                    .startsWith("found " + noun() + " " + runId + " ")
                    .endsWith(": waiting for it"));
    Processes.stop(next, Duration.ofSeconds(60));
    assertThat(cli.count()).isEqualTo("n,d\n120,120\n");
  }
}
