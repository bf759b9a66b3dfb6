package io.cdrpipeline.app.web;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code /metrics} in Prometheus's text format (Micrometer). Executions by workflow and status,
 * rows written, files rejected and step durations are read from the catalog's running totals at
 * each scrape, so they count the work of every process sharing the catalog (the CLI's too), not
 * only this one's, at the same cost however long the history; query durations are this server's
 * own.
 */
final class ConsoleMetrics {
  private final ExecutionStore store;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, long[]> executions = new ConcurrentHashMap<>();
  private final Map<String, double[]> steps = new ConcurrentHashMap<>();
  private volatile long rowsWritten;
  private volatile long filesRejected;

  /**
   * {@code workflows} maps each workflow to its steps, so every series exists from the first
   * scrape.
   */
  ConsoleMetrics(Catalog catalog, Map<String, List<String>> workflows) {
    this.store = new ExecutionStore(Objects.requireNonNull(catalog, "catalog is null"));
    for (Map.Entry<String, List<String>> w : workflows.entrySet()) {
      for (ExecutionStatus s : ExecutionStatus.values()) {
        long[] cell =
            executions.computeIfAbsent(w.getKey() + "\u0000" + s.name(), k -> new long[1]);
        Gauge.builder("cdr_executions", cell, c -> c[0])
            .description("Executions in the catalog, by workflow and status")
            .tag("workflow", w.getKey())
            .tag("status", s.name())
            .register(registry);
      }
      for (String step : w.getValue()) {
        stepCell(w.getKey(), step);
      }
    }
    FunctionCounter.builder("cdr_etl_rows_written", this, m -> m.rowsWritten)
        .description("Rows written to the processed table by every ETL run")
        .register(registry);
    FunctionCounter.builder("cdr_etl_files_rejected", this, m -> m.filesRejected)
        .description("Raw files rejected (quarantined) by every ETL run")
        .register(registry);
  }

  private double[] stepCell(String workflow, String step) {
    return steps.computeIfAbsent(
        workflow + "\u0000" + step,
        k -> {
          double[] cell = new double[2]; // count, total seconds
          FunctionTimer.builder(
                  "cdr_step_duration", cell, c -> (long) c[0], c -> c[1], TimeUnit.SECONDS)
              .description(
                  "Durations of finished workflow steps (succeeded or failed), by workflow and step")
              .tag("workflow", workflow)
              .tag("step", step)
              .register(registry);
          return cell;
        });
  }

  /** Times one query of the API. */
  void query(String endpoint, String outcome, long nanos) {
    Timer.builder("cdr_query_duration")
        .description("Queries run by the HTTP API, by endpoint and outcome")
        .tag("endpoint", endpoint)
        .tag("outcome", outcome)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The Prometheus text, with the catalog's figures read now (a scrape comes every few seconds at
   * most).
   */
  synchronized String scrape() {
    refresh();
    return registry.scrape();
  }

  private void refresh() {
    for (long[] cell : executions.values()) {
      cell[0] = 0;
    }
    for (ExecutionStore.StatusCount c : store.statusCounts()) {
      executions.computeIfAbsent(c.workflow() + "\u0000" + c.status().name(), k -> new long[1])[0] =
          c.executions();
    }
    Catalog.EtlTotals etl = store.catalog().etlTotals();
    rowsWritten = etl.rowsWritten();
    filesRejected = etl.rejected();
    for (ExecutionStore.StepTotal t : store.stepTotals()) {
      double[] cell = stepCell(t.workflow(), t.step());
      cell[0] = t.finished();
      cell[1] = t.seconds();
    }
  }
}
