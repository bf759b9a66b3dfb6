package io.cdrpipeline.app.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.testing.S3Server;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stands in for an Amazon EMR cluster's step API (AddJobFlowSteps, DescribeStep, ListSteps,
 * CancelSteps) for one cluster id. A step of the real job does what EMR's command-runner does with
 * {@code spark-submit --master yarn --deploy-mode cluster}: the files of {@code --files} in the
 * driver's working folder, the jar, {@code --conf} settings, the application's arguments — with
 * {@code local[2]} in place of YARN. States: PENDING, RUNNING, then COMPLETED or FAILED;
 * CANCEL_PENDING, CANCELLED when cancelled.
 */
public final class EmrStandIn extends ServiceStandIn {
  private static final Set<String> FINAL =
      Set.of("COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED");

  /** spark-submit's options that take a value. */
  private static final Set<String> WITH_VALUE =
      Set.of("--master", "--deploy-mode", "--name", "--class", "--conf", "--files", "--jars");

  private final String clusterId;
  private final Map<String, ObjectNode> steps = new HashMap<>();

  public EmrStandIn(String clusterId, S3Server s3, Path root) throws IOException {
    super("ElasticMapReduce", s3, root);
    this.clusterId = clusterId;
  }

  @Override
  String starting() {
    return "PENDING";
  }

  @Override
  String running() {
    return "RUNNING";
  }

  @Override
  String succeeded() {
    return "COMPLETED";
  }

  @Override
  String failed() {
    return "FAILED";
  }

  @Override
  String stopping() {
    return "CANCEL_PENDING";
  }

  @Override
  String stopped() {
    return "CANCELLED";
  }

  @Override
  boolean isFinal(String state) {
    return FINAL.contains(state);
  }

  private void cluster(JsonNode body, String field) {
    if (!clusterId.equals(body.path(field).asText())) {
      throw new Fault("InvalidRequestException", "no cluster " + body.path(field).asText());
    }
  }

  @Override
  synchronized JsonNode answer(String action, JsonNode body) {
    switch (action) {
      case "AddJobFlowSteps":
        {
          cluster(body, "JobFlowId");
          ArrayNode ids = JSON.createArrayNode();
          for (JsonNode step : body.path("Steps")) {
            Run run = start("s-", command(step));
            steps.put(run.id, (ObjectNode) step.deepCopy());
            ids.add(run.id);
          }
          return object().set("StepIds", ids);
        }
      case "DescribeStep":
        {
          cluster(body, "ClusterId");
          return object()
              .set(
                  "Step", step(run(body.path("StepId").asText(), "InvalidRequestException"), true));
        }
      case "ListSteps":
        {
          cluster(body, "ClusterId");
          ArrayNode list = JSON.createArrayNode();
          List<Run> all = new ArrayList<>(runs());
          java.util.Collections.reverse(all); // newest first
          for (Run r : all) {
            list.add(step(r, false));
          }
          return object().set("Steps", list);
        }
      case "CancelSteps":
        {
          cluster(body, "ClusterId");
          ArrayNode info = JSON.createArrayNode();
          for (JsonNode id : body.path("StepIds")) {
            run(id.asText(), "InvalidRequestException").stop();
            info.add(object().put("StepId", id.asText()).put("Status", "SUBMITTED"));
          }
          return object().set("CancelStepsInfoList", info);
        }
      default:
        throw new Fault("InvalidRequestException", "the stand-in does not know " + action);
    }
  }

  private ObjectNode step(Run r, boolean poll) {
    String state = poll ? r.poll() : r.state;
    ObjectNode config = steps.get(r.id);
    ObjectNode s =
        object()
            .put("Id", r.id)
            .put("Name", config.path("Name").asText())
            .put("ActionOnFailure", config.path("ActionOnFailure").asText());
    s.set("Config", config.path("HadoopJarStep").deepCopy());
    ObjectNode status = s.putObject("Status").put("State", state);
    if (r.error != null && state.equals("FAILED")) {
      status
          .putObject("FailureDetails")
          .put("Reason", "Unknown Error.")
          .put("Message", r.error)
          .put("LogFile", "s3://aws-logs/elasticmapreduce/" + clusterId + "/steps/" + r.id + "/");
    }
    return s;
  }

  /** What command-runner would run for this step, or why it could not. */
  private JobCommand command(JsonNode step) {
    List<String> why = new ArrayList<>();
    JsonNode jar = step.path("HadoopJarStep");
    if (!"command-runner.jar".equals(jar.path("Jar").asText())) {
      why.add("Jar " + jar.path("Jar").asText());
    }
    List<String> a = new ArrayList<>();
    jar.path("Args").forEach(x -> a.add(x.asText()));
    if (a.isEmpty() || !a.get(0).equals("spark-submit")) {
      return new JobCommand(List.of(), "", Map.of(), List.of(), "not spark-submit: " + a);
    }
    Map<String, String> options = new LinkedHashMap<>();
    Map<String, String> conf = new LinkedHashMap<>();
    int i = 1;
    for (; i < a.size() && a.get(i).startsWith("--"); i++) {
      if (!WITH_VALUE.contains(a.get(i))) {
        why.add("unknown option " + a.get(i));
        continue;
      }
      String v = a.get(++i);
      if (a.get(i - 1).equals("--conf")) {
        conf.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
      } else {
        options.put(a.get(i - 1), v);
      }
    }
    if (!"yarn".equals(options.get("--master"))) {
      why.add("--master " + options.get("--master"));
    }
    if (!"cluster".equals(options.get("--deploy-mode"))) {
      why.add("--deploy-mode " + options.get("--deploy-mode"));
    }
    if (!SparkJob.MAIN_CLASS.equals(options.get("--class"))) {
      why.add("--class " + options.get("--class"));
    }
    List<String> files =
        options.containsKey("--files") ? List.of(options.get("--files").split(",")) : List.of();
    String appJar = i < a.size() ? a.get(i) : "";
    List<String> args =
        i + 1 <= a.size() ? a.subList(Math.min(i + 1, a.size()), a.size()) : List.of();
    return new JobCommand(
        files, appJar, conf, List.copyOf(args), why.isEmpty() ? null : String.join("; ", why));
  }
}
