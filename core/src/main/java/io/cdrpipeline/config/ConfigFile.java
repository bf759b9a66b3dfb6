package io.cdrpipeline.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The YAML config file as written by the user, before validation. Field names are the keys. */
final class ConfigFile {
  @JsonProperty public String cdrBucket;
  @JsonProperty public String additionalCdrBucket;
  @JsonProperty public String processedBucket;
  @JsonProperty public String reportsBucket;
  @JsonProperty public String stateDir;
  @JsonProperty public String database;
  @JsonProperty public Integer dailyWorkers;
  @JsonProperty public Integer fullWorkers;
  @JsonProperty public String catalogUrl;
  @JsonProperty public String etlMemoryLimit;
  @JsonProperty public Integer crawlSampleFiles;
  @JsonProperty public LinkedHashMap<String, String> schedules;
  @JsonProperty public List<Map<String, Object>> notifications;
  @JsonProperty public List<Map<String, Object>> alarms;
  @JsonProperty public LinkedHashMap<String, String> timeouts;
  @JsonProperty public String linkExpiry;
  @JsonProperty public ServerFile server;
  @JsonProperty public Boolean backfill;
  @JsonProperty public Integer backfillDays;
  @JsonProperty public EtlFile etl;

  /** The {@code etl:} block. */
  static final class EtlFile {
    /** Read as any scalar, so that {@code 0.5} is refused as what it is, not as "not text". */
    @JsonProperty public Object maxShrink;
  }

  @JsonProperty public WatchFile watch;

  /** The {@code watch:} block. */
  static final class WatchFile {
    /** Read as any scalar, so that {@code yes} or {@code 1} is refused as what it is. */
    @JsonProperty public Object enabled;

    @JsonProperty public Object interval;
  }

  @JsonProperty public S3File s3;
  @JsonProperty public String queryCacheSize;
  @JsonProperty public QueryFile query;
  @JsonProperty public TableFile table;

  /** The {@code table:} block: where the processed table's Iceberg metadata lives. */
  static final class TableFile {
    @JsonProperty public String catalog;
    @JsonProperty public String warehouse;
    @JsonProperty public LinkedHashMap<String, Object> properties;
    @JsonProperty public String snapshotRetention;
  }

  @JsonProperty public LaunchFile launch;
  @JsonProperty public String engine;
  @JsonProperty public SparkFile spark;

  /** The {@code spark:} block: how the ETL application is submitted when {@code engine: spark}. */
  static final class SparkFile {
    @JsonProperty public String master;
    @JsonProperty public String submit;
    @JsonProperty public LinkedHashMap<String, Object> conf;
    @JsonProperty public Integer executors;
    @JsonProperty public String jobJar;
    @JsonProperty public String deployMode;
    @JsonProperty public String staging;
    @JsonProperty public GlueFile glue;
    @JsonProperty public EmrFile emr;
  }

  /** The {@code spark.glue:} block. */
  static final class GlueFile {
    @JsonProperty public String jobName;
    @JsonProperty public String role;
    @JsonProperty public String workerType;
    @JsonProperty public java.util.List<String> connections;
    @JsonProperty public String region;
    @JsonProperty public String endpoint;
  }

  /** The {@code spark.emr:} block. */
  static final class EmrFile {
    @JsonProperty public String clusterId;
    @JsonProperty public String region;
    @JsonProperty public String endpoint;
  }

  /** The {@code launch:} block. */
  static final class LaunchFile {
    @JsonProperty public Boolean fullEtl;
  }

  /** The {@code query:} block. */
  static final class QueryFile {
    @JsonProperty public String timeout;
    @JsonProperty public String memoryLimit;
    @JsonProperty public String maxTempSize;
    @JsonProperty public String apiTimeout;
    @JsonProperty public Integer apiRowLimit;
    @JsonProperty public String resultLimit;
    @JsonProperty public Integer apiConcurrency;
  }

  /** The {@code s3:} block. */
  static final class S3File {
    @JsonProperty public String endpoint;
    @JsonProperty public Boolean pathStyle;
    @JsonProperty public String region;
    @JsonProperty public Integer maxConcurrency;
  }

  /** The {@code server:} block. */
  static final class ServerFile {
    @JsonProperty public String host;
    @JsonProperty public Integer port;
    @JsonProperty public String baseUrl;
    @JsonProperty public String token;
  }
}
