package io.cdrpipeline.app.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.workflow.LocalPipelineActions;
import io.cdrpipeline.workflow.PipelineActions;
import io.cdrpipeline.workflow.StepContext;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;

/**
 * The workflows' actions with the ETL on Apache Spark ({@code engine: spark}): the etl steps submit
 * the application and follow it to its end, keeping the submission in the step's checkpoint; every
 * other step runs as on the embedded engine.
 */
public final class SparkPipelineActions implements PipelineActions {
  private final PipelineActions local;
  private final LocalPipelineActions.Factory<EtlJob> rule;
  private final SparkEtl spark;
  private final int dailyWorkers;
  private final int fullWorkers;

  /**
   * @param rule the embedded job, whose listing checks a day against the rule before an application
   *     is submitted
   */
  public SparkPipelineActions(
      PipelineActions local,
      LocalPipelineActions.Factory<EtlJob> rule,
      SparkEtl spark,
      int dailyWorkers,
      int fullWorkers) {
    this.local = Objects.requireNonNull(local, "local is null");
    this.rule = Objects.requireNonNull(rule, "rule is null");
    this.spark = Objects.requireNonNull(spark, "spark is null");
    this.dailyWorkers = dailyWorkers;
    this.fullWorkers = fullWorkers;
  }

  @Override
  public ObjectNode etlDay(LocalDate day, boolean force, StepContext step) throws Exception {
    if (step.checkpoint().last().isEmpty()) {
      // the rule's refusal before a Spark application is submitted (the job checks again, under the
      // day's lock)
      rule.make().checkDay(day, force);
    }
    SparkJob.Request r =
        new SparkJob.Request(
            Optional.of(day), force, dailyWorkers, Optional.of(step.executionId()));
    ObjectNode o = output(spark.run(r, step.checkpoint(), SparkEtl.Progress.NONE), step);
    o.put("date", day.toString());
    return o;
  }

  @Override
  public ObjectNode etlFull(boolean force, StepContext step) throws Exception {
    SparkJob.Request r =
        new SparkJob.Request(Optional.empty(), force, fullWorkers, Optional.of(step.executionId()));
    return output(spark.run(r, step.checkpoint(), SparkEtl.Progress.NONE), step);
  }

  /** What the embedded engine's step reports, and which application did it. */
  private static ObjectNode output(EtlSummary s, StepContext step) {
    ObjectNode o = LocalPipelineActions.etl(s);
    o.put("engine", "spark");
    step.checkpoint()
        .last()
        .flatMap(SparkSubmission.Record::fromJson)
        .ifPresent(
            r -> {
              o.put("submission", r.tag());
              r.appId().ifPresent(id -> o.put("applicationId", id));
              r.driverId().ifPresent(id -> o.put("driverId", id));
            });
    step.checkpoint()
        .last()
        .flatMap(ServiceRun::fromJson)
        .ifPresent(
            r -> {
              o.put("service", r.service());
              o.put("submission", r.tag());
              r.id().ifPresent(id -> o.put(r.service().equals("glue") ? "jobRunId" : "stepId", id));
            });
    return o;
  }

  @Override
  public ObjectNode etlDay(LocalDate day) throws Exception {
    throw new IllegalStateException("the etl step on Spark needs its step context");
  }

  @Override
  public ObjectNode etlFull() throws Exception {
    throw new IllegalStateException("the etl step on Spark needs its step context");
  }

  @Override
  public ObjectNode crawlRaw(boolean everything, boolean additional) throws Exception {
    return local.crawlRaw(everything, additional);
  }

  @Override
  public boolean hasAdditionalBucket() {
    return local.hasAdditionalBucket();
  }

  @Override
  public ObjectNode crawlProcessed(boolean everything) throws Exception {
    return local.crawlProcessed(everything);
  }

  @Override
  public ObjectNode alarms(LocalDate day) throws Exception {
    return local.alarms(day);
  }

  @Override
  public ObjectNode maintainTable() throws Exception {
    return local.maintainTable();
  }

  @Override
  public ObjectNode report(YearMonth month) throws Exception {
    return local.report(month);
  }

  @Override
  public String reportLink(String key, Duration expiry) throws Exception {
    return local.reportLink(key, expiry);
  }
}
