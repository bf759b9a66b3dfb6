package io.cdrpipeline.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How the ETL runs on Apache Spark ({@code engine: spark}): the master, the Spark installation that
 * submits (none: the product's build runs Spark itself), {@code --conf} settings, the number of
 * executors (none: the workers of the run), the job jar (none: the build's), the deploy mode, and
 * the managed service that runs it instead of spark-submit ({@code spark.submit: glue} or {@code
 * emr}).
 */
public record SparkSettings(
    String master,
    Optional<Path> sparkHome,
    Map<String, String> conf,
    OptionalInt executors,
    Optional<String> jobJar,
    DeployMode deployMode,
    Optional<SparkService> service) {

  /** Where the driver runs: in the submitting process's machine, or on the cluster. */
  public enum DeployMode {
    CLIENT,
    CLUSTER;

    /** As spark-submit spells it. */
    public String spelling() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code local[2]}, the product's own Spark, the build's job jar, client mode. */
  public static final SparkSettings DEFAULTS =
      new SparkSettings(
          "local[2]",
          Optional.empty(),
          Map.of(),
          OptionalInt.empty(),
          Optional.empty(),
          DeployMode.CLIENT);

  public SparkSettings {
    Objects.requireNonNull(master, "master is null");
    Objects.requireNonNull(sparkHome, "sparkHome is null");
    conf =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(Objects.requireNonNull(conf, "conf is null")));
    Objects.requireNonNull(executors, "executors is null");
    Objects.requireNonNull(jobJar, "jobJar is null");
    Objects.requireNonNull(deployMode, "deployMode is null");
    Objects.requireNonNull(service, "service is null");
  }

  /** Submitted through spark-submit (no managed service). */
  public SparkSettings(
      String master,
      Optional<Path> sparkHome,
      Map<String, String> conf,
      OptionalInt executors,
      Optional<String> jobJar,
      DeployMode deployMode) {
    this(master, sparkHome, conf, executors, jobJar, deployMode, Optional.empty());
  }

  /** True for a {@code local[...]} master: driver and executors in one JVM on this machine. */
  public boolean localMaster() {
    return master.equals("local") || master.startsWith("local[");
  }

  /**
   * The executors of a run that uses {@code workers} readers: {@code executors} if set, else the
   * workers.
   */
  public int executorsFor(int workers) {
    return executors.orElse(workers);
  }
}
