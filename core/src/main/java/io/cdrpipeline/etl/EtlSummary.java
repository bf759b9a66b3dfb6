package io.cdrpipeline.etl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;

/** The outcome of one ETL run over one or more days. */
public record EtlSummary(String runId, List<DaySummary> days, Duration elapsed) {

  public long filesRead() {
    return days.stream().mapToLong(DaySummary::filesRead).sum();
  }

  public long rowsWritten() {
    return days.stream().mapToLong(DaySummary::rowsWritten).sum();
  }

  public long rejected() {
    return days.stream().mapToLong(DaySummary::rejected).sum();
  }

  public long bytesRead() {
    return days.stream().mapToLong(DaySummary::bytesRead).sum();
  }

  public long daysProcessed() {
    return days.stream().filter(d -> !d.skipped()).count();
  }

  public long daysSkipped() {
    return days.stream().filter(DaySummary::skipped).count();
  }

  public double filesPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : filesRead() / s;
  }

  /** The run as the workflows record an ETL step's result (and the Spark job prints it). */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("runId", runId);
    o.put("daysProcessed", daysProcessed());
    o.put("daysSkipped", daysSkipped());
    o.put("filesRead", filesRead());
    o.put("rowsWritten", rowsWritten());
    o.put("rejected", rejected());
    o.put("seconds", elapsed.toMillis() / 1000.0);
    return o;
  }
}
