package io.cdrpipeline.app.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.app.service.EmrStandIn;
import io.cdrpipeline.app.service.GlueStandIn;
import io.cdrpipeline.app.service.ServiceStandIn;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.SparkService;
import io.cdrpipeline.config.SparkSettings;
import io.cdrpipeline.etl.EtlException;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.testing.S3Server;
import io.cdrpipeline.workflow.StepContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that started a run but died before it saved the run's id left only the tag in the
 * step's checkpoint: the next one finds the run by that tag (Glue: the run's {@code
 * --cdr-submission} argument; EMR: the step's name) and follows it, starting nothing.
 */
class ServiceRunFoundByTagTest {
  static S3Server s3;

  @TempDir Path dir;

  @BeforeAll
  static void s3() throws Exception {
    s3 = new S3Server();
    s3.createBucket("cdr-jars");
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    s3.close();
  }

  /** A checkpoint of one step kept in memory: what it was given last, and every save. */
  static final class Kept implements StepContext.Checkpoint {
    ObjectNode last;
    final List<String> saved = new ArrayList<>();

    Kept(ObjectNode first) {
      last = first;
    }

    @Override
    public Optional<ObjectNode> last() {
      return Optional.ofNullable(last);
    }

    @Override
    public boolean save(ObjectNode value, String detail) {
      last = value;
      saved.add(detail);
      return true;
    }

    @Override
    public boolean handingOver() {
      return false;
    }
  }

  SparkSettings settings(SparkService service) {
    return new SparkSettings(
        "local[2]",
        Optional.empty(),
        Map.of(),
        OptionalInt.of(1),
        Optional.of("s3://cdr-jars/jars/cdr-spark-job-3.5.jar"),
        SparkSettings.DeployMode.CLIENT,
        Optional.of(service));
  }

  SparkEtl etl(SparkSettings settings) throws Exception {
    Path config = Files.writeString(dir.resolve("cdr.yaml"), "engine: spark\n");
    SparkJob job = new SparkJob(settings, config, dir.resolve("state"), Optional.empty());
    Catalog catalog = new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("catalog.db")));
    return new SparkEtl(job, catalog, s3.settings(4));
  }

  static final SparkJob.Request DAY =
      new SparkJob.Request(Optional.of(LocalDate.of(2026, 11, 2)), false, 2, Optional.of("e-1"));

  @Test
  void glueFindsTheRunByItsTag() throws Exception {
    try (GlueStandIn glue = new GlueStandIn(s3, dir.resolve("glue"))) {
      SparkService.Glue service =
          new SparkService.Glue(
              "cdr-etl",
              "cdr-glue",
              "G.1X",
              List.of(),
              "s3://cdr-jars/staging",
              Optional.of("us-east-1"),
              Optional.of(glue.endpoint()));
      SparkSettings settings = settings(service);
      S3Settings s3Settings = s3.settings(4);
      glue.next(ServiceStandIn.Plan.states("the first one", "RUNNING", "RUNNING", "FAILED"));
      try (GlueJobs jobs = new GlueJobs(service, settings, s3Settings)) {
        jobs.start(DAY, "etl-20261202T090000-0000aaaa", "s3://cdr-jars/staging/runs/x/cdr.yaml");
      }
      glue.next(ServiceStandIn.Plan.states("another one", "RUNNING", "FAILED")); // not for this tag
      try (GlueJobs jobs = new GlueJobs(service, settings, s3Settings)) {
        jobs.start(DAY, "etl-20261202T090001-0000bbbb", "s3://cdr-jars/staging/runs/y/cdr.yaml");
      }
      Kept checkpoint =
          new Kept(
              new ServiceRun(
                      "glue",
                      "etl-20261202T090000-0000aaaa",
                      Optional.empty(),
                      "job cdr-etl",
                      Instant.now())
                  .toJson());
      assertThatThrownBy(() -> etl(settings).run(DAY, checkpoint, SparkEtl.Progress.NONE))
          .isInstanceOf(EtlException.class)
          .hasMessage("Glue job run jr_1 (job cdr-etl) ended FAILED: the first one");
      assertThat(glue.calls("StartJobRun")).hasSize(2); // the two above, none more
      assertThat(glue.calls("GetJobRuns")).isNotEmpty();
      assertThat(checkpoint.last.path("runId").asText()).isEqualTo("jr_1");
      assertThat(checkpoint.saved).startsWith("found Glue job run jr_1 RUNNING: waiting for it");
    }
  }

  @Test
  void emrFindsTheStepByItsTag() throws Exception {
    try (EmrStandIn emr = new EmrStandIn("j-1ABC", s3, dir.resolve("emr"))) {
      SparkService.Emr service =
          new SparkService.Emr(
              "j-1ABC",
              "s3://cdr-jars/staging",
              Optional.of("us-east-1"),
              Optional.of(emr.endpoint()));
      SparkSettings settings = settings(service);
      emr.next(ServiceStandIn.Plan.states("the first one", "PENDING", "RUNNING", "FAILED"));
      try (EmrSteps steps = new EmrSteps(service, settings, s3.settings(4))) {
        steps.start(DAY, "etl-20261202T090000-0000aaaa", "s3://cdr-jars/staging/runs/x/cdr.yaml");
      }
      Kept checkpoint =
          new Kept(
              new ServiceRun(
                      "emr",
                      "etl-20261202T090000-0000aaaa",
                      Optional.empty(),
                      "cluster j-1ABC",
                      Instant.now())
                  .toJson());
      assertThatThrownBy(() -> etl(settings).run(DAY, checkpoint, SparkEtl.Progress.NONE))
          .isInstanceOf(EtlException.class)
          .hasMessageStartingWith("EMR step s-1 (cluster j-1ABC) ended FAILED: the first one");
      assertThat(emr.calls("AddJobFlowSteps")).hasSize(1);
      assertThat(emr.calls("ListSteps")).isNotEmpty();
      assertThat(checkpoint.saved).startsWith("found EMR step s-1 PENDING: waiting for it");
    }
  }
}
