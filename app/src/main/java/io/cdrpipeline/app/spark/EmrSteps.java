package io.cdrpipeline.app.spark;

import io.cdrpipeline.config.SparkService;
import io.cdrpipeline.config.SparkSettings;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.S3Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.EmrClientBuilder;
import software.amazon.awssdk.services.emr.model.ActionOnFailure;
import software.amazon.awssdk.services.emr.model.HadoopJarStepConfig;
import software.amazon.awssdk.services.emr.model.Step;
import software.amazon.awssdk.services.emr.model.StepCancellationOption;
import software.amazon.awssdk.services.emr.model.StepConfig;
import software.amazon.awssdk.services.emr.model.StepSummary;

/**
 * The ETL as steps of a running Amazon EMR cluster ({@code spark.submit: emr}, {@code
 * spark.emr.clusterId}): each run is a step that runs {@code spark-submit --master yarn
 * --deploy-mode cluster} through {@code command-runner.jar}, with the config's copy in {@code
 * --files} (in the driver's working folder), the job jar {@code spark.jobJar}, {@code spark.conf}
 * and {@code spark.executor.instances} from {@code spark.executors}. A failed step leaves the
 * cluster running ({@code CONTINUE}).
 */
final class EmrSteps implements ServiceJobs {
  private static final Set<String> ACTIVE = Set.of("PENDING", "CANCEL_PENDING", "RUNNING");

  private final SparkService.Emr emr;
  private final SparkSettings settings;
  private final EmrClient client;

  EmrSteps(SparkService.Emr emr, SparkSettings settings, S3Settings s3) {
    this.emr = Objects.requireNonNull(emr, "emr is null");
    this.settings = Objects.requireNonNull(settings, "settings is null");
    EmrClientBuilder b =
        S3Store.apiClient(EmrClient.builder(), Duration.ofMinutes(2))
            .region(Region.of(emr.region().orElse(s3.region().orElse(S3Store.defaultRegion()))));
    emr.endpoint().ifPresent(b::endpointOverride);
    this.client = b.build();
  }

  @Override
  public String service() {
    return "emr";
  }

  @Override
  public String noun() {
    return "EMR step";
  }

  @Override
  public String where() {
    return "cluster " + emr.clusterId();
  }

  /** The step's name: what it processes, and its tag last (by which {@link #find} knows it). */
  static String stepName(SparkJob.Request r, String tag) {
    return "cdr-etl " + r.what() + " " + tag;
  }

  /** The command the step runs: spark-submit of the job, in cluster mode. */
  List<String> command(SparkJob.Request r, String tag, String configUrl) {
    List<String> a = new ArrayList<>();
    a.addAll(
        List.of(
            "spark-submit",
            "--master",
            "yarn",
            "--deploy-mode",
            "cluster",
            "--name",
            stepName(r, tag),
            "--class",
            SparkJob.MAIN_CLASS,
            "--conf",
            SparkJob.TAG_CONF + "=" + tag));
    if (!settings.conf().containsKey("spark.executor.instances")) {
      a.addAll(List.of("--conf", "spark.executor.instances=" + settings.executorsFor(r.workers())));
    }
    settings.conf().forEach((k, v) -> a.addAll(List.of("--conf", k + "=" + v)));
    a.addAll(List.of("--files", configUrl, settings.jobJar().orElseThrow()));
    a.addAll(r.args(Path.of(ServiceEtl.CONFIG_NAME)));
    return a;
  }

  @Override
  public String start(SparkJob.Request r, String tag, String configUrl) {
    StepConfig step =
        StepConfig.builder()
            .name(stepName(r, tag))
            .actionOnFailure(ActionOnFailure.CONTINUE)
            .hadoopJarStep(
                HadoopJarStepConfig.builder()
                    .jar("command-runner.jar")
                    .args(command(r, tag, configUrl))
                    .build())
            .build();
    List<String> ids =
        client.addJobFlowSteps(s -> s.jobFlowId(emr.clusterId()).steps(step)).stepIds();
    if (ids.size() != 1) {
      throw new IllegalStateException("EMR answered " + ids.size() + " step ids for one step");
    }
    return ids.get(0);
  }

  @Override
  public Optional<String> find(String tag) {
    int pages = 0;
    for (var page : client.listStepsPaginator(l -> l.clusterId(emr.clusterId()))) {
      for (StepSummary s : page.steps()) {
        if (s.name() != null && s.name().endsWith(" " + tag)) {
          return Optional.of(s.id());
        }
      }
      if (++pages >= 20) {
        break; // newest first: a step of this tag is among the last thousand
      }
    }
    return Optional.empty();
  }

  @Override
  public RunState state(String id) {
    Step step = client.describeStep(d -> d.clusterId(emr.clusterId()).stepId(id)).step();
    String state = step.status().stateAsString();
    if (ACTIVE.contains(state)) {
      return new RunState(state, Phase.ACTIVE, Optional.empty());
    }
    if (state.equals("COMPLETED")) {
      return new RunState(state, Phase.SUCCEEDED, Optional.empty());
    }
    List<String> why = new ArrayList<>();
    var f = step.status().failureDetails();
    if (f != null) {
      if (f.message() != null && !f.message().isBlank()) {
        why.add(FailureText.firstLine(f.message()));
      } else if (f.reason() != null && !f.reason().isBlank()) {
        why.add(FailureText.firstLine(f.reason()));
      }
      if (f.logFile() != null && !f.logFile().isBlank()) {
        why.add("(log: " + f.logFile() + ")");
      }
    }
    var change = step.status().stateChangeReason();
    if (why.isEmpty() && change != null && change.message() != null) {
      why.add(FailureText.firstLine(change.message()));
    }
    return new RunState(
        state, Phase.FAILED, why.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", why)));
  }

  @Override
  public void stop(String id) {
    client
        .cancelSteps(
            c ->
                c.clusterId(emr.clusterId())
                    .stepIds(id)
                    .stepCancellationOption(StepCancellationOption.SEND_INTERRUPT))
        .cancelStepsInfoList()
        .forEach(
            i ->
                LoggerFactory.getLogger(EmrSteps.class)
                    .info("EMR step {}: cancel {} {}", i.stepId(), i.statusAsString(), i.reason()));
  }

  @Override
  public void close() {
    client.close();
  }
}
