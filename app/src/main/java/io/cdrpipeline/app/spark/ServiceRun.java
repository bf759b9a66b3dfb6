package io.cdrpipeline.app.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the etl step keeps in its checkpoint about a run on a managed service ({@code spark.submit:
 * glue} or {@code emr}): the service, the tag the run carries, the run's id once the service gave
 * it (a Glue job run id, an EMR step id), where it runs, and when it was started. Any process that
 * takes the execution over finds the same run again from it.
 */
record ServiceRun(
    String service, String tag, Optional<String> id, String where, Instant submittedAt) {
  ServiceRun {
    Objects.requireNonNull(service, "service is null");
    Objects.requireNonNull(tag, "tag is null");
    Objects.requireNonNull(id, "id is null");
    Objects.requireNonNull(where, "where is null");
    Objects.requireNonNull(submittedAt, "submittedAt is null");
  }

  ObjectNode toJson() {
    ObjectNode o = SparkSubmission.JSON.createObjectNode();
    o.put("service", service);
    o.put("tag", tag);
    id.ifPresent(i -> o.put("runId", i));
    o.put("where", where);
    o.put("submittedAt", submittedAt.toString());
    return o;
  }

  /** The run a checkpoint holds; empty if it holds something else (a spark-submit submission). */
  static Optional<ServiceRun> fromJson(JsonNode o) {
    if (o == null || !o.path("service").isTextual() || !o.path("tag").isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new ServiceRun(
              o.path("service").asText(),
              o.path("tag").asText(),
              Optional.ofNullable(o.path("runId").textValue()),
              o.path("where").asText(),
              Instant.parse(o.path("submittedAt").asText())));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  ServiceRun withId(String runId) {
    return new ServiceRun(service, tag, Optional.of(runId), where, submittedAt);
  }
}
