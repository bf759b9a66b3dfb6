package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;

/**
 * Forwards every action to another; lets test classes of other packages use package-private fakes.
 */
public class ForwardingActions implements PipelineActions {
  private final PipelineActions inner;

  ForwardingActions(PipelineActions inner) {
    this.inner = inner;
  }

  @Override
  public ObjectNode crawlRaw(boolean everything, boolean additional) throws Exception {
    return inner.crawlRaw(everything, additional);
  }

  @Override
  public boolean hasAdditionalBucket() {
    return inner.hasAdditionalBucket();
  }

  @Override
  public ObjectNode etlDay(LocalDate day) throws Exception {
    return inner.etlDay(day);
  }

  @Override
  public ObjectNode etlFull() throws Exception {
    return inner.etlFull();
  }

  @Override
  public ObjectNode crawlProcessed(boolean everything) throws Exception {
    return inner.crawlProcessed(everything);
  }

  @Override
  public ObjectNode maintainTable() throws Exception {
    return inner.maintainTable();
  }

  @Override
  public ObjectNode report(YearMonth month) throws Exception {
    return inner.report(month);
  }

  @Override
  public String reportLink(String key, Duration expiry) throws Exception {
    return inner.reportLink(key, expiry);
  }
}
