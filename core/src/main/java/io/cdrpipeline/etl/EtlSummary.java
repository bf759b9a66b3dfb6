package io.cdrpipeline.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** The outcome of one ETL run over one or more days. */
public record EtlSummary(String runId, List<DaySummary> days, Duration elapsed) {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /**
   * Days kept as they were by the rule of {@link io.cdrpipeline.table.DayRefusal}; counted as
   * skipped too.
   */
  public long daysKept() {
    return days.stream().filter(DaySummary::refused).count();
  }

  public double filesPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : filesRead() / s;
  }

  /**
   * The run as JSON: the totals a workflow's etl step reports ({@code runId, daysProcessed,
   * daysSkipped, filesRead, rowsWritten, rejected, seconds}), {@code bytesRead}, and each day under
   * {@code days}. Every engine reports its run with this object (the Spark job on its {@code
   * CDR-ETL-RESULT} line), and {@link #fromJson} reads it back.
   */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("runId", runId);
    o.put("daysProcessed", daysProcessed());
    o.put("daysSkipped", daysSkipped());
    o.put("filesRead", filesRead());
    o.put("rowsWritten", rowsWritten());
    o.put("rejected", rejected());
    o.put("seconds", elapsed.toMillis() / 1000.0);
    if (daysKept() > 0) {
      o.put("daysKept", daysKept());
    }
    o.put("bytesRead", bytesRead());
    ArrayNode arr = o.putArray("days");
    for (DaySummary d : days) {
      ObjectNode day = arr.addObject();
      day.put("day", d.day().toString());
      day.put("skipped", d.skipped());
      day.put("filesRead", d.filesRead());
      day.put("rowsWritten", d.rowsWritten());
      day.put("rejected", d.rejected());
      day.put("bytesRead", d.bytesRead());
      day.put("bytesWritten", d.bytesWritten());
      day.put("seconds", d.elapsed().toMillis() / 1000.0);
      if (d.outputLocation() != null) {
        day.put("output", d.outputLocation());
      }
      if (d.refused()) {
        day.put("refused", d.refusal());
      }
    }
    return o;
  }

  /**
   * Reads what {@link #toJson} wrote (without {@code days}, a run of no days); an
   * IllegalArgumentException names what is missing or wrong (the line came from another process,
   * which may be of another version).
   */
  public static EtlSummary fromJson(JsonNode o) {
    if (o == null || !o.isObject() || !o.path("runId").isTextual()) {
      throw new IllegalArgumentException(
          "not an ETL summary (expected an object with runId): " + o);
    }
    List<DaySummary> days = new ArrayList<>();
    for (JsonNode d : o.path("days")) {
      LocalDate day;
      try {
        day = LocalDate.parse(d.path("day").asText());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "not an ETL summary: day '" + d.path("day").asText() + "' is not a date");
      }
      days.add(
          new DaySummary(
              day,
              d.path("skipped").asBoolean(),
              d.path("filesRead").asLong(),
              d.path("rowsWritten").asLong(),
              d.path("rejected").asLong(),
              d.path("bytesRead").asLong(),
              d.path("bytesWritten").asLong(),
              Duration.ofMillis(Math.round(d.path("seconds").asDouble() * 1000)),
              d.hasNonNull("output") ? d.path("output").asText() : null,
              d.hasNonNull("refused") ? d.path("refused").asText() : null));
    }
    return new EtlSummary(
        o.path("runId").asText(),
        days,
        Duration.ofMillis(Math.round(o.path("seconds").asDouble() * 1000)));
  }
}
