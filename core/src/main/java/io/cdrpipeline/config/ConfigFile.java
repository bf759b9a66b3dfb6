package io.cdrpipeline.config;

import com.fasterxml.jackson.annotation.JsonProperty;

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
}
