package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.crawl.CrawlResult;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.report.ReportLinks;
import io.cdrpipeline.report.ReportResult;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;

/** The pipeline's jobs on the embedded engine, for workflow steps. */
public final class LocalPipelineActions implements PipelineActions {

  /** Makes a part on demand (parts hold resources, so each step gets fresh ones). */
  @FunctionalInterface
  public interface Factory<T> {
    T make() throws IOException;
  }

  /** Everything the actions use. */
  public record Parts(
      Factory<Crawler> crawler,
      List<RawSource> sources,
      Factory<ProcessedTable> table,
      Factory<EtlJob> etl,
      Factory<QueryEngine> query,
      ObjectStore reports,
      ReportLinks links,
      int dailyWorkers,
      int fullWorkers,
      Duration snapshotRetention) {}

  /** Evaluates the alarms over a day: what the daily workflow's alarms step runs. */
  @FunctionalInterface
  public interface AlarmCheck {
    ObjectNode evaluate(LocalDate day) throws Exception;
  }

  private final Parts parts;
  private final AlarmCheck alarms;

  public LocalPipelineActions(Parts parts) {
    this(parts, null);
  }

  /** Actions whose daily workflow evaluates alarms with {@code alarms} (null: none configured). */
  public LocalPipelineActions(Parts parts, AlarmCheck alarms) {
    this.parts = Objects.requireNonNull(parts, "parts");
    this.alarms = alarms;
  }

  @Override
  public ObjectNode alarms(LocalDate day) throws Exception {
    return alarms == null ? PipelineActions.super.alarms(day) : alarms.evaluate(day);
  }

  @Override
  public boolean hasAdditionalBucket() {
    return parts.sources().size() > 1;
  }

  @Override
  public ObjectNode crawlRaw(boolean everything, boolean additional) throws Exception {
    RawSource source = additional ? parts.sources().get(1) : parts.sources().get(0);
    return crawl(parts.crawler().make().crawlRaw(source.store(), source.name(), everything));
  }

  @Override
  public ObjectNode crawlProcessed(boolean everything) throws Exception {
    return crawl(parts.crawler().make().crawlProcessed(parts.table().make().iceberg(), everything));
  }

  @Override
  public ObjectNode maintainTable() throws Exception {
    ProcessedTable t = parts.table().make();
    IcebergTable.Maintenance m = t.maintain(parts.snapshotRetention(), Instant.now());
    ObjectNode o = ExecutionStore.JSON.createObjectNode();
    o.put("snapshotsExpired", m.snapshotsExpired());
    o.put("orphansDeleted", m.orphansDeleted());
    o.put("failedRunFiles", m.failedRunFiles());
    o.put("manifests", m.manifestsAfter());
    return o;
  }

  private static ObjectNode crawl(CrawlResult r) {
    ObjectNode o = ExecutionStore.JSON.createObjectNode();
    o.put("table", r.table());
    o.put("newPartitions", r.newPartitions());
    o.put("refreshedPartitions", r.refreshedPartitions());
    o.put("objects", r.objects());
    o.put("schemaChanges", r.schemaChanges().size());
    return o;
  }

  @Override
  public ObjectNode etlDay(LocalDate day) throws Exception {
    return etlDay(day, false, null);
  }

  @Override
  public ObjectNode etlDay(LocalDate day, boolean force, StepContext step) throws Exception {
    ObjectNode o = etl(parts.etl().make().runDay(day, parts.dailyWorkers(), force));
    o.put("date", day.toString());
    return o;
  }

  @Override
  public ObjectNode etlFull() throws Exception {
    return etlFull(false, null);
  }

  @Override
  public ObjectNode etlFull(boolean force, StepContext step) throws Exception {
    return etl(parts.etl().make().runFull(parts.fullWorkers(), force));
  }

  /**
   * What the etl step of a workflow reports: the run's totals ({@link EtlSummary#toJson} without
   * each day).
   */
  public static ObjectNode etl(EtlSummary s) {
    ObjectNode o = s.toJson();
    o.remove("days");
    o.remove("bytesRead");
    return o;
  }

  @Override
  public ObjectNode report(YearMonth month) throws Exception {
    try (QueryEngine q = parts.query().make()) {
      ReportResult r = new MonthlyReport(q, parts.reports()).run(month);
      ObjectNode o = ExecutionStore.JSON.createObjectNode();
      o.put("Month", month.toString());
      o.put("npanxxKey", r.npanxxKey());
      o.put("summaryKey", r.summaryKey());
      o.put("npanxxRows", r.npanxxRows());
      o.put("summaryRows", r.summaryRows());
      o.put("calls", r.calls());
      return o;
    }
  }

  @Override
  public String reportLink(String key, Duration expiry) {
    return parts.links().linkFor(key, expiry);
  }
}
