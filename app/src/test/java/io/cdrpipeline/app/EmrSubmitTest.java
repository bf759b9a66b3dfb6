package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.service.EmrStandIn;
import io.cdrpipeline.app.service.ServiceStandIn;
import io.cdrpipeline.app.spark.SparkJob;
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
 * {@code spark.submit: emr} against a local stand-in of an EMR cluster's step API: each ETL step
 * one step (AddJobFlowSteps, spark-submit through command-runner.jar) polled with DescribeStep,
 * cancelled with CancelSteps, found again by its step id after a take-over.
 */
@Tag("cluster")
class EmrSubmitTest extends ServiceSubmitContract {
  static final String CLUSTER = "j-2AXXXXXXGAPLF";

  @Override
  ServiceStandIn standIn(S3Server s3, Path root) throws Exception {
    return new EmrStandIn(CLUSTER, s3, root);
  }

  @Override
  String serviceBlock(URI endpoint) {
    return "  emr:\n    clusterId: "
        + CLUSTER
        + "\n    region: us-east-1\n    endpoint: '"
        + endpoint
        + "'\n";
  }

  @Override
  String submit() {
    return "emr";
  }

  @Override
  String startAction() {
    return "AddJobFlowSteps";
  }

  @Override
  String pollAction() {
    return "DescribeStep";
  }

  @Override
  String stopAction() {
    return "CancelSteps";
  }

  @Override
  String idKey() {
    return "stepId";
  }

  @Override
  String noun() {
    return "EMR step";
  }

  @Override
  List<String> runningSucceeded() {
    return List.of("RUNNING", "COMPLETED");
  }

  @Override
  String stoppedState() {
    return "CANCELLED";
  }

  @Override
  List<String> stopped(JsonNode stopRequest) {
    assertThat(stopRequest.path("ClusterId").asText()).isEqualTo(CLUSTER);
    assertThat(stopRequest.path("StepCancellationOption").asText()).isEqualTo("SEND_INTERRUPT");
    List<String> ids = new ArrayList<>();
    stopRequest.path("StepIds").forEach(i -> ids.add(i.asText()));
    return ids;
  }

  /** The step as the product defined it. */
  @Override
  void afterSuccess(Execution e) {
    JsonNode step = service.calls("AddJobFlowSteps").get(0).body().path("Steps").get(0);
    assertThat(step.path("ActionOnFailure").asText()).isEqualTo("CONTINUE");
    assertThat(step.path("HadoopJarStep").path("Jar").asText()).isEqualTo("command-runner.jar");
    List<String> args = new ArrayList<>();
    step.path("HadoopJarStep").path("Args").forEach(a -> args.add(a.asText()));
    assertThat(args)
        .startsWith("spark-submit", "--master", "yarn", "--deploy-mode", "cluster")
        .contains("--class", SparkJob.MAIN_CLASS)
        .contains("spark.executor.instances=1")
        .contains("s3://cdr-jars/jars/" + SparkLine.SPARK_3_5.jarName());
    assertThat(args.get(args.indexOf("--files") + 1))
        .startsWith("s3://cdr-jars/staging/runs/etl-")
        .endsWith("/cdr.yaml");
    assertThat(String.join(" ", args))
        .contains(SparkLine.SPARK_3_5.jarName() + " --config cdr.yaml --date 2026-11-02 ")
        .contains("--execution " + e.id());
  }

  @Test
  void aFailedStepFailsTheExecutionWithEmrsMessageAndNotifies() throws Exception {
    failedRun(
        ServiceStandIn.Plan.states(
            "Exception in thread \"main\" org.apache.spark.SparkException: Application failed",
            "PENDING",
            "RUNNING",
            "FAILED"),
        "ended FAILED: Exception in thread \"main\" org.apache.spark.SparkException: Application failed",
        "(log: s3://aws-logs/elasticmapreduce/" + CLUSTER + "/steps/");
    assertThat(service.runs().get(0).answered).containsExactly("PENDING", "RUNNING", "FAILED");
  }
}
