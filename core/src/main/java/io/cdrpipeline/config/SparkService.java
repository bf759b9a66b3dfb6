package io.cdrpipeline.config;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A managed service that runs the Spark ETL application for the product ({@code spark.submit: glue}
 * or {@code emr}): the product starts it there, follows it and stops it through the service's API.
 */
public sealed interface SparkService permits SparkService.Glue, SparkService.Emr {

  /**
   * {@code spark.staging}: the {@code s3://bucket/prefix} the product writes what the run reads (a
   * copy of the config file, Glue's entry script).
   */
  String staging();

  /** The service's region; empty: {@code s3.region}, else the SDK's own chain. */
  Optional<String> region();

  /** An endpoint in place of the service's own (an S3-compatible lab, a local stand-in). */
  Optional<URI> endpoint();

  /**
   * An AWS Glue 5.0 job the product creates or updates ({@code jobName}), run with {@code role} on
   * {@code workerType} workers, with the Glue {@code connections} that reach a network (the
   * catalog's PostgreSQL in a VPC).
   */
  record Glue(
      String jobName,
      String role,
      String workerType,
      List<String> connections,
      String staging,
      Optional<String> region,
      Optional<URI> endpoint)
      implements SparkService {
    public Glue {
      Objects.requireNonNull(jobName, "jobName is null");
      Objects.requireNonNull(role, "role is null");
      Objects.requireNonNull(workerType, "workerType is null");
      connections = List.copyOf(connections);
      Objects.requireNonNull(staging, "staging is null");
      Objects.requireNonNull(region, "region is null");
      Objects.requireNonNull(endpoint, "endpoint is null");
    }
  }

  /** A running Amazon EMR cluster ({@code clusterId}) the product adds a step to for each run. */
  record Emr(String clusterId, String staging, Optional<String> region, Optional<URI> endpoint)
      implements SparkService {
    public Emr {
      Objects.requireNonNull(clusterId, "clusterId is null");
      Objects.requireNonNull(staging, "staging is null");
      Objects.requireNonNull(region, "region is null");
      Objects.requireNonNull(endpoint, "endpoint is null");
    }
  }
}
