package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;

/** The pipeline's jobs as workflow steps see them; each returns a small JSON summary. */
public interface PipelineActions {
  /** Crawls the CDR bucket (or, with {@code additional}, the additional bucket). */
  ObjectNode crawlRaw(boolean everything, boolean additional) throws Exception;

  /** True when an additional CDR bucket is configured. */
  boolean hasAdditionalBucket();

  /** Processes one day. */
  ObjectNode etlDay(LocalDate day) throws Exception;

  /** Processes every crawled day, skipping unchanged ones. */
  ObjectNode etlFull() throws Exception;

  /**
   * Processes one day as a workflow step; with {@code force} it is replaced even when its raw files
   * shrank beyond {@code etl.maxShrink}. An engine that runs elsewhere (Spark) keeps what it
   * submitted in the step's checkpoint, so that a resumed step finds it. By default, {@link
   * #etlDay(LocalDate)}.
   */
  default ObjectNode etlDay(LocalDate day, boolean force, StepContext step) throws Exception {
    return etlDay(day);
  }

  /**
   * Processes every crawled day as a workflow step (see {@link #etlDay(LocalDate, boolean,
   * StepContext)}).
   */
  default ObjectNode etlFull(boolean force, StepContext step) throws Exception {
    return etlFull();
  }

  /**
   * Evaluates the configured alarms over a day the ETL just processed; by default there are none.
   * Never fails the workflow: what could not be evaluated is told in the summary.
   */
  default ObjectNode alarms(LocalDate day) throws Exception {
    ObjectNode o = ExecutionStore.JSON.createObjectNode();
    o.put("date", day.toString());
    o.put("alarms", 0);
    return o;
  }

  /** Crawls the processed bucket. */
  ObjectNode crawlProcessed(boolean everything) throws Exception;

  /** Expires old snapshots of the processed table, removes orphan files, rewrites manifests. */
  ObjectNode maintainTable() throws Exception;

  /** Writes the monthly report files. */
  ObjectNode report(YearMonth month) throws Exception;

  /** A download link for a report object that expires after {@code expiry}. */
  String reportLink(String key, Duration expiry) throws Exception;
}
