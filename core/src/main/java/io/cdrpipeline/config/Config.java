package io.cdrpipeline.config;

import io.cdrpipeline.alarm.AlarmDefinition;
import io.cdrpipeline.catalog.Dialect;
import io.cdrpipeline.catalog.SqliteDialect;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.TableSettings;
import io.cdrpipeline.workflow.Workflows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated settings of one deployment. Without a config file every location is under {@code
 * ./data/}; relative paths in a file resolve against the file's folder.
 */
public record Config(
    StoreLocation cdrBucket,
    Optional<StoreLocation> additionalCdrBucket,
    StoreLocation processedBucket,
    StoreLocation reportsBucket,
    Path stateDir,
    String database,
    int dailyWorkers,
    int fullWorkers,
    String catalogUrl,
    String etlMemoryLimit,
    int crawlSampleFiles,
    Map<String, ScheduleExpression> schedules,
    List<Subscription> notifications,
    Workflows.Timeouts timeouts,
    Duration linkExpiry,
    ServerSettings server,
    boolean backfill,
    int backfillDays,
    S3Settings s3,
    long queryCacheBytes,
    QueryLimits query,
    ApiQueryLimits apiQuery,
    TableSettings table,
    LaunchSettings launch,
    EtlSettings etl,
    Engine engine,
    SparkSettings spark,
    List<AlarmDefinition> alarms,
    WatchSettings watch,
    Optional<Path> source) {

  public static final String DEFAULT_DATABASE = "cdrs";
  public static final int DEFAULT_DAILY_WORKERS = 10;
  public static final int DEFAULT_FULL_WORKERS = 100;

  /** How many days before today the service's backfill looks at, by default. */
  public static final int DEFAULT_BACKFILL_DAYS = 7;

  /** The most days backfill may look back (ten years). */
  public static final int MAX_BACKFILL_DAYS = 3650;

  /**
   * What runs the ETL: the embedded engine in the command's own process, or an application on
   * Apache Spark.
   */
  public enum Engine {
    EMBEDDED,
    SPARK
  }

  public Config {
    Objects.requireNonNull(cdrBucket, "cdrBucket");
    Objects.requireNonNull(additionalCdrBucket, "additionalCdrBucket");
    Objects.requireNonNull(processedBucket, "processedBucket");
    Objects.requireNonNull(reportsBucket, "reportsBucket");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(catalogUrl, "catalogUrl");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(apiQuery, "apiQuery");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(launch, "launch");
    Objects.requireNonNull(etl, "etl");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(watch, "watch");
    Objects.requireNonNull(source, "source");
    schedules = Collections.unmodifiableMap(new LinkedHashMap<>(schedules));
    notifications = List.copyOf(notifications);
    alarms = List.copyOf(alarms);
  }

  /**
   * The default schedules of the original: daily at 09:00 UTC, the monthly report on the 2nd at
   * 12:00 UTC.
   */
  public static Map<String, ScheduleExpression> defaultSchedules() {
    Map<String, ScheduleExpression> m = new LinkedHashMap<>();
    m.put("daily", ScheduleExpression.parse("cron(0 9 * * ? *)"));
    m.put("monthlyReport", ScheduleExpression.parse("cron(0 12 2 * ? *)"));
    return m;
  }

  /** The defaults: everything under {@code dataDir} (cdr-bucket, processed, reports, state). */
  public static Config defaults(Path dataDir) {
    Path d = dataDir.toAbsolutePath().normalize();
    Path state = d.resolve("state");
    return new Config(
        new StoreLocation.Local(d.resolve("cdr-bucket")),
        Optional.empty(),
        new StoreLocation.Local(d.resolve("processed")),
        new StoreLocation.Local(d.resolve("reports")),
        state,
        DEFAULT_DATABASE,
        DEFAULT_DAILY_WORKERS,
        DEFAULT_FULL_WORKERS,
        sqliteUrl(state),
        "1GB",
        1000,
        defaultSchedules(),
        List.of(),
        Workflows.Timeouts.defaults(),
        Duration.ofHours(1),
        ServerSettings.defaults(),
        true,
        DEFAULT_BACKFILL_DAYS,
        S3Settings.defaults(),
        2L * 1024 * 1024 * 1024,
        QueryLimits.DEFAULTS,
        ApiQueryLimits.DEFAULTS,
        TableSettings.DEFAULTS,
        LaunchSettings.defaults(),
        EtlSettings.DEFAULTS,
        Engine.EMBEDDED,
        SparkSettings.DEFAULTS,
        List.of(),
        WatchSettings.DEFAULTS,
        Optional.empty());
  }

  static String sqliteUrl(Path stateDir) {
    return Dialect.SQLITE_PREFIX + stateDir.resolve("catalog.db");
  }

  /**
   * Where the processed table's files and metadata live: {@code table.warehouse}, else the
   * processed bucket.
   */
  public StoreLocation tableWarehouse() {
    return table.warehouse().orElse(processedBucket);
  }

  /** The catalog database's dialect, from {@code catalogUrl}. */
  public Dialect catalogDialect() {
    return Dialect.of(catalogUrl);
  }

  /** True when the catalog is a SQLite file (the embedded default). */
  public boolean sqliteCatalog() {
    return catalogDialect() instanceof SqliteDialect;
  }
}
