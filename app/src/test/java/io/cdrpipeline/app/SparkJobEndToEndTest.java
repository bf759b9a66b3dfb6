package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.app.spark.SparkLine;
import io.cdrpipeline.testing.WebhookReceiver;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine: spark} with the real job ({@code spark/target/cdr-spark-job-4.1.jar}) and nothing
 * installed: the product's own spark-submit runs Spark {@code local[2]} from the build's jars, in a
 * JVM of its own, through SparkLauncher, exactly as a user's {@code cdr etl} and workflows do.
 */
class SparkJobEndToEndTest {
  @TempDir Path dir;
  WebhookReceiver hook;
  SparkCli cli;

  /**
   * The job is built by the spark module's package, which the reactor runs before this module's
   * tests.
   */
  @BeforeAll
  static void theJobIsBuilt() {
    Path root = SparkJob.buildRoot().orElseThrow();
    boolean built =
        Files.isRegularFile(SparkLine.OWN.jar(root))
            && Files.isRegularFile(root.resolve("spark/target/" + SparkJob.CLASSPATH_FILE));
    String why =
        "the Spark job is not built: mvn -B -DskipTests -pl spark -am package (mvn verify builds it first)";
    if (!built && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(why);
    }
    Assumptions.assumeTrue(built, why);
  }

  @BeforeEach
  void setUp() throws Exception {
    hook = new WebhookReceiver();
    cli = new SparkCli(dir);
    config(driverOptions(""));
  }

  @AfterEach
  void tearDown() {
    cli.close();
    hook.close();
  }

  /** The defaults of engine spark: local[2], the build's job and Spark; and {@code more}. */
  void config(String more) throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "engine: spark\n"
            + (more.isEmpty() ? "" : "spark:\n" + more)
            + "notifications:\n  - {type: webhook, url: '"
            + hook.url()
            + "'}\n");
  }

  /**
   * The driver's JVM options: {@code options}, after those of a short-lived driver (C1 alone and
   * the serial collector halve what it spends starting and warming up).
   */
  static String driverOptions(String options) {
    return "  conf:\n    spark.driver.extraJavaOptions: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
        + options
        + "'\n";
  }

  @Test
  void etlOnLocalSparkLandsAndPrintsWhatTheEmbeddedEngineDoes() throws Exception {
    config(""); // the defaults, the driver's JVM options included
    assertThat(
            cli.cdr(
                    "generate",
                    "--date",
                    "2026-11-02",
                    "--calls",
                    "400",
                    "--malformed",
                    "1",
                    "--seed",
                    "21")
                .code())
        .isZero();
    CliRun spark = cli.cdr("etl", "--date", "2026-11-02");
    assertThat(spark.code()).as(spark.err()).isZero();
    assertThat(spark.err())
        .containsPattern("spark: application local-\\d+ RUNNING")
        .containsPattern("spark: application local-\\d+ FINISHED");

    Path embedded = Files.createDirectories(dir.resolve("embedded"));
    assertThat(
            SparkCli.cdrIn(
                    embedded,
                    "generate",
                    "--date",
                    "2026-11-02",
                    "--calls",
                    "400",
                    "--malformed",
                    "1",
                    "--seed",
                    "21")
                .code())
        .isZero();
    CliRun local = SparkCli.cdrIn(embedded, "etl", "--date", "2026-11-02");
    assertThat(SparkCli.withoutTimes(spark.out())).isEqualTo(SparkCli.withoutTimes(local.out()));
    String seed =
        "SELECT npanxx, count(*) AS n, sum(duration) AS d FROM processed_cdrs GROUP BY npanxx ORDER BY npanxx";
    assertThat(cli.cdr("query", "--format", "csv", seed).out())
        .isEqualTo(SparkCli.cdrIn(embedded, "query", "--format", "csv", seed).out());
    assertThat(cli.count()).isEqualTo("n,d\n400,400\n");
  }

  @Test
  void theDailyWorkflowSubmitsThroughSparkLauncherAndPollsToTheEnd() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-03", "--calls", "120").code()).isZero();
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-03");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    String id =
        r.out()
            .lines()
            .filter(l -> l.startsWith("started "))
            .findFirst()
            .orElseThrow()
            .split(" ")[1];
    Execution e = cli.store().get(id).orElseThrow();
    JsonNode etl = e.state().path("etl");
    assertThat(etl.path("applicationId").asText()).startsWith("local-");
    assertThat(etl.path("rowsWritten").asLong()).isEqualTo(120);
    assertThat(cli.progress(id))
        .anySatisfy(
            ev ->
                assertThat(ev.detail().orElse(""))
                    .startsWith("Spark application " + etl.path("applicationId").asText() + " "));
    assertThat(cli.count()).isEqualTo("n,d\n120,120\n");
  }

  @Test
  void aFailingApplicationEndsTheExecutionFailedNotifiesAndLeavesTheTableUnchanged()
      throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-04", "--calls", "50").code()).isZero();
    assertThat(cli.cdr("etl", "--date", "2026-11-04").code()).isZero();
    String history = cli.cdr("table", "history").out();
    assertThat(cli.cdr("generate", "--date", "2026-11-04", "--calls", "90", "--seed", "2").code())
        .isZero();
    config(driverOptions("-Dcdr.failpoint=etl.before-commit:fail"));
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-04");
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
        .matches("Spark application local-\\d+ failed: .*failpoint.*\\(driver log: .*\\)");
    assertThat(hook.await(1, 10_000))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.path("subject").asText()).isEqualTo("Error Processing CDRs");
              assertThat(n.path("message").asText()).contains("Spark application local-");
            });
    assertThat(cli.count()).isEqualTo("n,d\n50,50\n");
    assertThat(cli.cdr("table", "history").out()).isEqualTo(history);
  }

  @Test
  void aKilledDriverThenAResumedWorkflowLandsTheDayOnce() throws Exception {
    assertThat(cli.cdr("generate", "--date", "2026-11-05", "--calls", "600", "--seed", "7").code())
        .isZero();
    config(driverOptions("-Dcdr.failpoint=etl.read@300:pause"));
    Process owner = cli.child("start", "daily", "--date", "2026-11-05");
    ExecutionStore store = cli.store();
    String id = SparkCli.awaitExecution(store, Duration.ofSeconds(60));
    JsonNode s = SparkCli.submission(store, id, Duration.ofSeconds(90));
    SparkCli.awaitLine(
        Path.of(s.path("driverOut").asText()),
        "failpoint etl.read paused",
        Duration.ofSeconds(120));
    owner.destroyForcibly(); // the machine goes down: the service, then the driver in the middle of
    // the day
    assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
    ProcessHandle driver = ProcessHandle.of(s.path("pid").asLong()).orElseThrow();
    driver.destroyForcibly();
    driver.onExit().get(30, TimeUnit.SECONDS);

    config(driverOptions(""));
    Process service = cli.child("serve", "--port", "0", "--no-schedules");
    Execution done = WorkflowCliTest.awaitFinal(store, id, Duration.ofSeconds(240));
    assertThat(done.status())
        .as(String.join("\n", store.events(id).stream().map(Object::toString).toList()))
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(store.events(id))
        .filteredOn(
            ev ->
                ev.type() == ExecutionEvent.Type.STEP_PROGRESS
                    && ev.detail().orElse("").startsWith("submitted"))
        .hasSize(2);
    io.cdrpipeline.testing.Processes.stop(service, Duration.ofSeconds(60));
    assertThat(cli.count()).isEqualTo("n,d\n600,600\n");
  }
}
