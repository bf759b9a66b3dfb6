package io.cdrpipeline.config;

import io.cdrpipeline.query.QueryLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalInt;

/** Checks the {@code query:} block; each mistake is one {@link ConfigException} naming its key. */
final class QueryKeys {
  /**
   * The least and the most text a result held in memory may be given ({@code query.resultLimit}).
   */
  static final long MIN_RESULT_BYTES = 1_000_000L;

  static final long MAX_RESULT_BYTES = 1_000_000_000L;

  /** The {@code query:} block; memory defaults to {@code etlMemoryLimit}. */
  static QueryLimits limits(ConfigFile.QueryFile raw, String etlMemory, long machineMemory) {
    QueryLimits d = QueryLimits.DEFAULTS;
    Duration timeout =
        raw == null || raw.timeout == null
            ? d.timeout()
            : Durations.parse(
                "query.timeout", raw.timeout, Duration.ofSeconds(1), Duration.ofDays(7));
    long memory =
        raw == null || raw.memoryLimit == null
            ? Sizes.parse("etlMemoryLimit", etlMemory)
            : Sizes.parse("query.memoryLimit", raw.memoryLimit);
    long temp =
        raw == null || raw.maxTempSize == null
            ? d.maxTempBytes()
            : Sizes.parse("query.maxTempSize", raw.maxTempSize);
    if (memory < ConfigLoader.MIN_ETL_MEMORY) {
      throw new ConfigException(
          "bad value for 'query.memoryLimit': '"
              + raw.memoryLimit
              + "' is too little for DuckDB (at least 64MB)");
    }
    if (raw != null && raw.memoryLimit != null) {
      ResourceKeys.atMostMachineMemory("query.memoryLimit", raw.memoryLimit, memory, machineMemory);
    }
    long result =
        raw == null || raw.resultLimit == null
            ? QueryLimits.DEFAULT_RESULT_BYTES
            : Sizes.parse("query.resultLimit", raw.resultLimit);
    if (result < MIN_RESULT_BYTES || result > MAX_RESULT_BYTES) {
      throw new ConfigException(
          "bad value for 'query.resultLimit': '"
              + raw.resultLimit
              + "' (expected "
              + Sizes.text(MIN_RESULT_BYTES)
              + " to "
              + Sizes.text(MAX_RESULT_BYTES)
              + ")");
    }
    return new QueryLimits(timeout, memory, temp, result);
  }

  /**
   * {@code query.apiTimeout} (at most {@code query.timeout}), {@code query.apiRowLimit} and {@code
   * query.apiConcurrency}.
   */
  static ApiQueryLimits apiLimits(ConfigFile.QueryFile raw, QueryLimits cli, Path file) {
    ApiQueryLimits d = ApiQueryLimits.DEFAULTS;
    Duration timeout;
    if (raw == null || raw.apiTimeout == null) {
      timeout = d.timeout().compareTo(cli.timeout()) <= 0 ? d.timeout() : cli.timeout();
    } else {
      timeout =
          Durations.parse(
              "query.apiTimeout", raw.apiTimeout, Duration.ofSeconds(1), Duration.ofDays(7));
      if (timeout.compareTo(cli.timeout()) > 0) {
        throw new ConfigException(
            "bad value for 'query.apiTimeout' in "
                + file
                + ": '"
                + raw.apiTimeout
                + "' is longer than query.timeout ("
                + cli.timeout().toString().substring(2).toLowerCase(Locale.ROOT)
                + "): a query of the HTTP API may not take longer than one on the command line");
      }
    }
    int rows = raw == null || raw.apiRowLimit == null ? d.rowLimit() : raw.apiRowLimit;
    if (rows < 1 || rows > ApiQueryLimits.MAX_ROW_LIMIT) {
      throw new ConfigException(
          "bad value for 'query.apiRowLimit' in "
              + file
              + ": "
              + rows
              + " (expected 1 to "
              + ApiQueryLimits.MAX_ROW_LIMIT
              + ")");
    }
    OptionalInt concurrency = OptionalInt.empty();
    if (raw != null && raw.apiConcurrency != null) {
      if (raw.apiConcurrency < 1 || raw.apiConcurrency > ApiQueryLimits.MAX_CONCURRENCY) {
        throw new ConfigException(
            "bad value for 'query.apiConcurrency' in "
                + file
                + ": "
                + raw.apiConcurrency
                + " (expected 1 to "
                + ApiQueryLimits.MAX_CONCURRENCY
                + ")");
      }
      concurrency = OptionalInt.of(raw.apiConcurrency);
    }
    return new ApiQueryLimits(timeout, rows, concurrency);
  }

  private QueryKeys() {}
}
