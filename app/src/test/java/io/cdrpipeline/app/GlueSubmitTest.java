package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.service.GlueStandIn;
import io.cdrpipeline.app.service.ServiceStandIn;
import io.cdrpipeline.app.spark.SparkLine;
import io.cdrpipeline.testing.S3Server;
import io.cdrpipeline.workflow.Execution;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code spark.submit: glue} against a local stand-in of AWS Glue's job API: the job created for
 * Glue 5.0 with the job jar, each ETL step one job run (StartJobRun) polled to its end (GetJobRun),
 * stopped with BatchStopJobRun, found again by its id after a take-over.
 */
@Tag("cluster")
class GlueSubmitTest extends ServiceSubmitContract {
  GlueStandIn glue;

  @Override
  ServiceStandIn standIn(S3Server s3, Path root) throws Exception {
    glue = new GlueStandIn(s3, root);
    return glue;
  }

  @Override
  String serviceBlock(URI endpoint) {
    return "  glue:\n    role: arn:aws:iam::123456789012:role/cdr-glue\n    region: us-east-1\n"
        + "    endpoint: '"
        + endpoint
        + "'\n";
  }

  @Override
  String submit() {
    return "glue";
  }

  @Override
  String startAction() {
    return "StartJobRun";
  }

  @Override
  String pollAction() {
    return "GetJobRun";
  }

  @Override
  String stopAction() {
    return "BatchStopJobRun";
  }

  @Override
  String idKey() {
    return "jobRunId";
  }

  @Override
  String noun() {
    return "Glue job run";
  }

  @Override
  List<String> runningSucceeded() {
    return List.of("RUNNING", "SUCCEEDED");
  }

  @Override
  String stoppedState() {
    return "STOPPED";
  }

  @Override
  List<String> stopped(JsonNode stopRequest) {
    List<String> ids = new ArrayList<>();
    stopRequest.path("JobRunIds").forEach(i -> ids.add(i.asText()));
    assertThat(stopRequest.path("JobName").asText()).isEqualTo("cdr-etl");
    return ids;
  }

  /**
   * The job as the product defined it, and the run's request; a second run (the CLI's) finds the
   * job as the config says it, and its failure leaves the day as it was.
   */
  @Override
  void afterSuccess(Execution e) throws Exception {
    JsonNode created = glue.calls("CreateJob").get(0).body();
    assertThat(created.path("Name").asText()).isEqualTo("cdr-etl");
    assertThat(created.path("GlueVersion").asText()).isEqualTo("5.0");
    assertThat(created.path("Role").asText()).isEqualTo("arn:aws:iam::123456789012:role/cdr-glue");
    assertThat(created.path("Command").path("Name").asText()).isEqualTo("glueetl");
    assertThat(created.path("Command").path("ScriptLocation").asText())
        .isEqualTo("s3://cdr-jars/staging/glue/CdrGlueEtl.scala");
    assertThat(created.path("DefaultArguments").path("--class").asText()).isEqualTo("CdrGlueEtl");
    assertThat(created.path("DefaultArguments").path("--extra-jars").asText())
        .isEqualTo("s3://cdr-jars/jars/" + SparkLine.SPARK_3_5.jarName());
    assertThat(created.path("MaxRetries").asInt()).isZero();
    JsonNode start = glue.calls("StartJobRun").get(0).body();
    assertThat(start.path("WorkerType").asText()).isEqualTo("G.1X");
    assertThat(start.path("NumberOfWorkers").asInt()).isEqualTo(2); // one executor, one driver
    assertThat(start.path("Arguments").path("--extra-files").asText())
        .startsWith("s3://cdr-jars/staging/runs/etl-")
        .endsWith("/cdr.yaml");
    assertThat(start.path("Arguments").path("--cdr-args").asText())
        .startsWith("--config cdr.yaml --date 2026-11-02 ")
        .contains("--execution " + e.id());

    glue.next(ServiceStandIn.Plan.states("killed by a test", "RUNNING", "FAILED"));
    CliRun again = cli.cdr("etl", "--date", "2026-11-02");
    assertThat(again.code()).as(again.err()).isEqualTo(1);
    assertThat(again.err())
        .contains("spark: started Glue job run jr_2 of 2026-11-02 (job cdr-etl)")
        .contains("spark: Glue job run jr_2 RUNNING")
        .contains("Glue job run jr_2 (job cdr-etl) ended FAILED: killed by a test");
    assertThat(glue.calls("CreateJob")).hasSize(1); // the job was found as the config says it
    assertThat(glue.calls("UpdateJob")).isEmpty();
    assertThat(glue.calls("StartJobRun")).hasSize(2);
    assertThat(cli.count()).isEqualTo("n,d\n150,150\n");
  }

  @Test
  void aFailedRunFailsTheExecutionWithGluesMessageAndNotifies() throws Exception {
    failedRun(
        ServiceStandIn.Plan.states(
            "An error occurred while calling o97.save. Java heap space", "RUNNING", "FAILED"),
        "ended FAILED: An error occurred while calling o97.save. Java heap space");
  }

  @Test
  void aRunPastGluesOwnTimeoutEndsTheExecutionFailed() throws Exception {
    failedRun(
        ServiceStandIn.Plan.states(null, "STARTING", "RUNNING", "TIMEOUT"),
        "ended TIMEOUT: it ran past the job's timeout (2880 min)");
    assertThat(glue.runs().get(0).answered).containsExactly("STARTING", "RUNNING", "TIMEOUT");
  }

  @Test
  void aChangedRoleUpdatesTheJobBeforeTheRun() throws Exception {
    failedRun(ServiceStandIn.Plan.states("first", "FAILED"), "first");
    config(""); // unchanged: no update
    serviceRole("arn:aws:iam::123456789012:role/cdr-glue-2");
    glue.next(ServiceStandIn.Plan.states("second", "FAILED"));
    CliRun r = cli.cdr("start", "daily", "--date", "2026-11-03");
    assertThat(r.code()).isEqualTo(1);
    assertThat(glue.calls("UpdateJob"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.body().path("JobUpdate").path("Role").asText())
                    .isEqualTo("arn:aws:iam::123456789012:role/cdr-glue-2"));
    assertThat(glue.jobs.get("cdr-etl").path("Role").asText()).endsWith("cdr-glue-2");
  }

  @Test
  void aJobGlueRefusesToCreateIsOneLineAndNoRun() throws Exception {
    generate("2026-11-07", 10);
    serviceRole("arn:aws:iam::123456789012:role/not-passable");
    CliRun r = cli.cdr("etl", "--date", "2026-11-07");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "could not start a Glue job run (job cdr-etl): User: arn:aws:iam::123456789012:user/cdr"
                + " is not authorized to perform: iam:PassRole")
        .doesNotContain("\tat ");
    assertThat(glue.calls("StartJobRun")).isEmpty();
  }

  private void serviceRole(String role) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    String yaml = java.nio.file.Files.readString(f);
    java.nio.file.Files.writeString(
        f, yaml.replace("role: arn:aws:iam::123456789012:role/cdr-glue\n", "role: " + role + "\n"));
  }
}
