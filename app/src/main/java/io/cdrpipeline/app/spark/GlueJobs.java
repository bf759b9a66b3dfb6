package io.cdrpipeline.app.spark;

import io.cdrpipeline.config.SparkService;
import io.cdrpipeline.config.SparkSettings;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.GlueClientBuilder;
import software.amazon.awssdk.services.glue.model.ConnectionsList;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.ExecutionProperty;
import software.amazon.awssdk.services.glue.model.Job;
import software.amazon.awssdk.services.glue.model.JobCommand;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.glue.model.JobUpdate;

/**
 * The ETL as runs of an AWS Glue 5.0 job ({@code spark.submit: glue}). Before each run the product
 * creates the job, or updates it when its definition changed: a Scala job whose script ({@code
 * <spark.staging>/glue/CdrGlueEtl.scala}, written by the product) calls the job's main class in the
 * jar {@code spark.jobJar} ({@code --extra-jars}, first on the classpath); each run gets the
 * config's copy ({@code --extra-files}, into the driver's working folder), the job's arguments
 * ({@code --cdr-args}, URL-encoded words) and its tag ({@code --cdr-submission}), with {@code
 * spark.executors} + 1 workers (one is the driver) of {@code spark.glue.workerType}.
 */
final class GlueJobs implements ServiceJobs {
  static final String GLUE_VERSION = "5.0";
  static final String ENTRY_CLASS = "CdrGlueEtl";
  static final String SCRIPT_KEY = "glue/" + ENTRY_CLASS + ".scala";
  static final String ARGS = "--cdr-args";
  static final String TAG = "--cdr-submission";

  /** The entry Glue compiles and runs: the job's own arguments, out of Glue's, to the job. */
  static final String SCRIPT =
      String.join(
          "\n",
          "// Written by cdr (spark.submit: glue): the entry of the Glue job. The ETL is "
              + SparkJob.MAIN_CLASS,
          "// in the job's --extra-jars; its arguments come URL-encoded in " + ARGS + ".",
          "object " + ENTRY_CLASS + " {",
          "  def main(sysArgs: Array[String]): Unit = {",
          "    val at = sysArgs.indexOf(\"" + ARGS + "\")",
          "    if (at < 0 || at + 1 >= sysArgs.length) {",
          "      throw new IllegalArgumentException(\"" + ARGS + " is missing\")",
          "    }",
          "    val args = sysArgs(at + 1).split(\" \").filter(_.nonEmpty)",
          "      .map(a => java.net.URLDecoder.decode(a, \"UTF-8\"))",
          "    " + SparkJob.MAIN_CLASS + ".main(args)",
          "  }",
          "}",
          "");

  /** Glue runs these at once before it queues more: a backfill runs a few days together. */
  private static final int MAX_CONCURRENT_RUNS = 10;

  private static final Set<String> ACTIVE = Set.of("STARTING", "RUNNING", "STOPPING", "WAITING");

  private final SparkService.Glue glue;
  private final SparkSettings settings;
  private final S3Settings s3;
  private final GlueClient client;

  GlueJobs(SparkService.Glue glue, SparkSettings settings, S3Settings s3) {
    this.glue = Objects.requireNonNull(glue, "glue is null");
    this.settings = Objects.requireNonNull(settings, "settings is null");
    this.s3 = Objects.requireNonNull(s3, "s3 is null");
    GlueClientBuilder b =
        S3Store.apiClient(GlueClient.builder(), Duration.ofMinutes(2))
            .region(Region.of(glue.region().orElse(s3.region().orElse(S3Store.defaultRegion()))));
    glue.endpoint().ifPresent(b::endpointOverride);
    this.client = b.build();
  }

  @Override
  public String service() {
    return "glue";
  }

  @Override
  public String noun() {
    return "Glue job run";
  }

  @Override
  public String where() {
    return "job " + glue.jobName();
  }

  @Override
  public String start(SparkJob.Request r, String tag, String configUrl) {
    int workers = settings.executorsFor(r.workers()) + 1;
    ensureJob(workers);
    Map<String, String> args = new LinkedHashMap<>();
    args.put("--extra-files", configUrl);
    args.put(
        ARGS,
        r.args(Path.of(ServiceEtl.CONFIG_NAME)).stream()
            .map(a -> URLEncoder.encode(a, StandardCharsets.UTF_8))
            .collect(Collectors.joining(" ")));
    args.put(TAG, tag);
    return client
        .startJobRun(
            s ->
                s.jobName(glue.jobName())
                    .arguments(args)
                    .workerType(glue.workerType())
                    .numberOfWorkers(workers))
        .jobRunId();
  }

  @Override
  public Optional<String> find(String tag) {
    int pages = 0;
    for (var page : client.getJobRunsPaginator(g -> g.jobName(glue.jobName()).maxResults(100))) {
      for (JobRun run : page.jobRuns()) {
        if (tag.equals(run.arguments().get(TAG))) {
          return Optional.of(run.id());
        }
      }
      if (++pages >= 10) {
        break; // newest first: a run of this tag is among the last thousand
      }
    }
    return Optional.empty();
  }

  @Override
  public RunState state(String id) {
    JobRun run =
        client
            .getJobRun(g -> g.jobName(glue.jobName()).runId(id).predecessorsIncluded(false))
            .jobRun();
    String state = run.jobRunStateAsString();
    if (ACTIVE.contains(state)) {
      return new RunState(state, Phase.ACTIVE, Optional.empty());
    }
    if (state.equals("SUCCEEDED")) {
      return new RunState(state, Phase.SUCCEEDED, Optional.empty());
    }
    String why = run.errorMessage();
    if ((why == null || why.isBlank()) && state.equals("TIMEOUT")) {
      why = "it ran past the job's timeout (" + run.timeout() + " min)";
    }
    if ((why == null || why.isBlank()) && state.equals("STOPPED")) {
      why = "it was stopped";
    }
    return new RunState(
        state,
        Phase.FAILED,
        Optional.ofNullable(why)
            .filter(w -> !w.isBlank())
            .map(io.cdrpipeline.failure.FailureText::firstLine));
  }

  @Override
  public void stop(String id) {
    var answer = client.batchStopJobRun(b -> b.jobName(glue.jobName()).jobRunIds(id));
    answer
        .errors()
        .forEach(
            e ->
                org.slf4j.LoggerFactory.getLogger(GlueJobs.class)
                    .info(
                        "Glue did not stop job run {}: {}",
                        e.jobRunId(),
                        e.errorDetail() == null ? "" : e.errorDetail().errorMessage()));
  }

  @Override
  public void close() {
    client.close();
  }

  /** Writes the entry script if it differs, and creates the job or updates what changed. */
  private void ensureJob(int workers) {
    try (ObjectStore staging =
        ObjectStores.open(StoreLocation.parse(glue.staging(), Path.of(".")), s3)) {
      byte[] script = SCRIPT.getBytes(StandardCharsets.UTF_8);
      Optional<byte[]> now =
          staging.stat(SCRIPT_KEY).isPresent()
              ? Optional.of(staging.read(SCRIPT_KEY))
              : Optional.empty();
      if (now.isEmpty() || !java.util.Arrays.equals(now.get(), script)) {
        staging.put(SCRIPT_KEY, script);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the Glue job's script to " + glue.staging() + "/" + SCRIPT_KEY, e);
    }
    JobCommand command =
        JobCommand.builder()
            .name("glueetl")
            .scriptLocation(glue.staging() + "/" + SCRIPT_KEY)
            .build();
    Map<String, String> defaults = defaultArguments();
    Optional<Job> job;
    try {
      job = Optional.of(client.getJob(g -> g.jobName(glue.jobName())).job());
    } catch (EntityNotFoundException e) {
      job = Optional.empty();
    }
    if (job.isEmpty()) {
      client.createJob(
          c ->
              c.name(glue.jobName())
                  .description("CDR Pipeline ETL (" + SparkJob.MAIN_CLASS + "), kept by cdr")
                  .role(glue.role())
                  .command(command)
                  .glueVersion(GLUE_VERSION)
                  .workerType(glue.workerType())
                  .numberOfWorkers(workers)
                  .connections(ConnectionsList.builder().connections(glue.connections()).build())
                  .maxRetries(0) // the workflow decides what runs again
                  .executionProperty(
                      ExecutionProperty.builder().maxConcurrentRuns(MAX_CONCURRENT_RUNS).build())
                  .defaultArguments(defaults));
      return;
    }
    Job j = job.get();
    boolean same =
        glue.role().equals(j.role())
            // what the product sets of the command (Glue may answer with more, a Python version)
            && j.command() != null
            && command.name().equals(j.command().name())
            && command.scriptLocation().equals(j.command().scriptLocation())
            && GLUE_VERSION.equals(j.glueVersion())
            && glue.workerType().equals(j.workerTypeAsString())
            && defaults.equals(j.defaultArguments())
            && glue.connections()
                .equals(j.connections() == null ? List.of() : j.connections().connections())
            && Integer.valueOf(0).equals(j.maxRetries());
    if (!same) {
      client.updateJob(
          u ->
              u.jobName(glue.jobName())
                  .jobUpdate(
                      JobUpdate.builder()
                          .description(
                              "CDR Pipeline ETL (" + SparkJob.MAIN_CLASS + "), kept by cdr")
                          .role(glue.role())
                          .command(command)
                          .glueVersion(GLUE_VERSION)
                          .workerType(glue.workerType())
                          .numberOfWorkers(workers)
                          .connections(
                              ConnectionsList.builder().connections(glue.connections()).build())
                          .maxRetries(0)
                          .executionProperty(
                              ExecutionProperty.builder()
                                  .maxConcurrentRuns(MAX_CONCURRENT_RUNS)
                                  .build())
                          .defaultArguments(defaults)
                          .build()));
    }
  }

  /**
   * The job's arguments for every run: a Scala job whose entry is {@link #ENTRY_CLASS}, the job jar
   * first on the classpath, and {@code spark.conf} as Glue takes Spark settings (one {@code --conf}
   * value, the next ones after {@code --conf} inside it).
   */
  Map<String, String> defaultArguments() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("--job-language", "scala");
    a.put("--class", ENTRY_CLASS);
    a.put("--extra-jars", settings.jobJar().orElseThrow());
    a.put("--user-jars-first", "true");
    List<String> conf =
        settings.conf().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    if (!conf.isEmpty()) {
      a.put("--conf", String.join(" --conf ", conf));
    }
    return a;
  }
}
