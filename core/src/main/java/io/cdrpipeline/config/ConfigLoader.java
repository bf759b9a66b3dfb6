package io.cdrpipeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.TableSettings;
import io.cdrpipeline.workflow.Workflows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads and validates a YAML config file; every mistake becomes one {@link ConfigException}. */
public final class ConfigLoader {
  /** Made on first use: without a config file the YAML machinery is never loaded. */
  private static final class Yaml {
    static final ObjectMapper MAPPER =
        new ObjectMapper(new YAMLFactory().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
  }

  /** The longest a report link may last: what S3 allows a presigned URL, used for server links too. */
  public static final Duration MAX_LINK_EXPIRY = Duration.ofDays(7);
  /** The longest total timeout of a workflow: what Step Functions allows an execution. */
  public static final Duration MAX_TIMEOUT = Duration.ofDays(365);
  /** The least memory DuckDB is given: below it, it cannot sort a day or even start a query. */
  public static final long MIN_ETL_MEMORY = 64L * 1000 * 1000;
  /** The least and the most text a result held in memory may be given ({@code query.resultLimit}). */
  static final long MIN_RESULT_BYTES = 1_000_000L;
  static final long MAX_RESULT_BYTES = 1_000_000_000L;
  /** Names DuckDB keeps for itself: a database of that name cannot hold the tables. */
  private static final List<String> RESERVED_DATABASES = List.of("memory", "system", "temp", "information_schema", "pg_catalog");

  private ConfigLoader() {}

  /** The file {@code cdr configure} writes, and every command reads when no other file is named. */
  public static final String DEFAULT_FILE = "cdr.yaml";

  /**
   * The config to use: the file named by {@code --config}, else by {@code CDR_CONFIG}, else
   * {@code ./cdr.yaml} if there is one, else the defaults under {@code ./data}.
   */
  public static Config resolve(Path explicit, String env, Path workingDir) {
    Optional<Path> file = file(explicit, env, workingDir);
    return file.isPresent() ? load(file.get()) : Config.defaults(workingDir.resolve("data"));
  }

  /** The config file that {@link #resolve} reads, if any (it may not exist when named). */
  public static Optional<Path> file(Path explicit, String env, Path workingDir) {
    if (explicit != null) {
      return Optional.of(workingDir.resolve(explicit));
    }
    if (env != null && !env.isBlank()) {
      return Optional.of(workingDir.resolve(env));
    }
    Path local = workingDir.resolve(DEFAULT_FILE);
    return Files.isRegularFile(local) ? Optional.of(local) : Optional.empty();
  }

  /** Loads a config file for a command of this machine. */
  public static Config load(Path file) {
    return load(file, machineMemory());
  }

  /**
   * Loads a config file in a process that runs on another machine than the commands (the Spark
   * driver): what holds for this machine only (DuckDB's memory against its memory) is not
   * checked there, the commands check it where DuckDB runs.
   */
  public static Config loadElsewhere(Path file) {
    return load(file, Long.MAX_VALUE);
  }

  private static Config load(Path file, long machineMemory) {
    Path path = file.toAbsolutePath().normalize();
    String text;
    try {
      if (Files.isDirectory(path)) {
        throw new ConfigException("config file " + path + " is a folder, not a file");
      }
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + path);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ConfigException("config file " + path + " is not UTF-8 text");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new ConfigException("cannot read config file " + path + ": permission denied");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    ConfigFile raw;
    com.fasterxml.jackson.databind.JsonNode tree = null;
    try {
      // through a tree: a file of only comments is empty, and a value is bound with its key path
      tree = text.isBlank() ? null : Yaml.MAPPER.readTree(text);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        raw = new ConfigFile();
      } else if (!tree.isObject()) {
        throw new ConfigException(path + " must hold keys and values (e.g. 'cdrBucket: /data/cdrs'), not " + tree.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
      } else {
        raw = Yaml.MAPPER.treeToValue(tree, ConfigFile.class);
      }
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
      throw new ConfigException(
          "unknown key '" + keyPath(segments(e)) + "' in " + path + " (known keys: " + known + ")");
    } catch (MismatchedInputException e) {
      List<Object> at = segments(e);
      String expected = expected(e.getTargetType());
      throw new ConfigException("bad value for '" + keyPath(at) + "' in " + path + ": "
          + (expected == null ? FailureText.firstLine(e.getOriginalMessage()) : expected + ", got " + describe(node(tree, at))));
    } catch (JsonMappingException e) {
      // e.g. a number too large for its key: without a path, the parser knows where it stood
      List<Object> at = segments(e);
      if (at.isEmpty() && e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p) {
        at = segments(p.getParsingContext());
      }
      com.fasterxml.jackson.databind.JsonNode value = node(tree, at);
      throw new ConfigException("bad value for '" + keyPath(at) + "' in " + path + ": "
          + (value != null && value.isIntegralNumber() ? value.asText() + " is too large" : FailureText.firstLine(e.getOriginalMessage())));
    } catch (JsonProcessingException e) {
      // a duplicate key is refused here (STRICT_DUPLICATE_DETECTION): the parser names the key where it stood
      String key = e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p
          ? keyPath(segments(p.getParsingContext())) : "";
      throw new ConfigException(path + " is not valid YAML" + (key.isEmpty() ? "" : " at '" + key + "'") + ": "
          + FailureText.firstLine(e.getOriginalMessage())
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    try {
      return validate(raw, path, machineMemory);
    } catch (ConfigException e) {
      // the parsers of single values (durations, sizes, locations, subscriptions) do not know the file
      if (e.getMessage().contains(path.toString())) {
        throw e;
      }
      throw new ConfigException(e.getMessage() + " (in " + path + ")");
    }
  }

  static Config validate(ConfigFile raw, Path file, long machineMemory) {
    Path base = file.getParent();
    Config d = Config.defaults(base.resolve("data"));
    Path stateDir = raw.stateDir == null ? d.stateDir() : path("stateDir", raw.stateDir, base);
    if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
      throw new ConfigException("bad value for 'stateDir' in " + file + ": " + stateDir + " is a file, not a folder");
    }
    String database = raw.database == null ? Config.DEFAULT_DATABASE : raw.database.trim();
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new ConfigException(
          "bad value for 'database' in " + file + ": '" + raw.database
              + "' is not a SQL name (letters, digits, underscore; not starting with a digit)");
    }
    if (RESERVED_DATABASES.contains(database.toLowerCase(Locale.ROOT))) {
      throw new ConfigException("bad value for 'database' in " + file + ": '" + database
          + "' is a name DuckDB keeps for itself (" + String.join(", ", RESERVED_DATABASES) + ")");
    }
    int dailyWorkers = workers("dailyWorkers", raw.dailyWorkers, Config.DEFAULT_DAILY_WORKERS, file);
    int fullWorkers = workers("fullWorkers", raw.fullWorkers, Config.DEFAULT_FULL_WORKERS, file);
    String catalogUrl = raw.catalogUrl == null ? Config.sqliteUrl(stateDir) : raw.catalogUrl.trim();
    if (!catalogUrl.startsWith("jdbc:sqlite:") && !catalogUrl.startsWith("jdbc:postgresql:")) {
      throw new ConfigException(
          "bad value for 'catalogUrl' in " + file + ": '" + Database.redact(catalogUrl)
              + "' (expected jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB)");
    }
    if (catalogUrl.startsWith("jdbc:sqlite:") && raw.catalogUrl != null) {
      catalogUrl = sqliteFile(catalogUrl, base, file);
    }
    if (catalogUrl.startsWith("jdbc:postgresql:") && org.postgresql.Driver.parseURL(catalogUrl, null) == null) {
      throw new ConfigException("bad value for 'catalogUrl' in " + file + ": '" + Database.redact(catalogUrl)
          + "' is not a PostgreSQL URL (expected jdbc:postgresql://HOST[:PORT]/DB?user=..&password=..)");
    }
    String memory = raw.etlMemoryLimit == null ? d.etlMemoryLimit() : raw.etlMemoryLimit.trim();
    // the text goes to DuckDB as it is: Sizes reads exactly the units DuckDB reads, with the same meaning
    long etlMemory = Sizes.parse("etlMemoryLimit", memory);
    if (etlMemory < MIN_ETL_MEMORY) {
      throw new ConfigException("bad value for 'etlMemoryLimit' in " + file + ": '" + memory
          + "' is too little for DuckDB (at least 64MB)");
    }
    atMostMachineMemory("etlMemoryLimit", memory, etlMemory, machineMemory);
    int sample = raw.crawlSampleFiles == null ? d.crawlSampleFiles() : raw.crawlSampleFiles;
    if (sample < 0) {
      throw new ConfigException(
          "bad value for 'crawlSampleFiles' in " + file + ": " + sample + " (expected 0 for all files, or a positive count)");
    }
    Map<String, ScheduleExpression> schedules = new LinkedHashMap<>(d.schedules());
    if (raw.schedules != null) {
      for (Map.Entry<String, String> e : raw.schedules.entrySet()) {
        String key = "schedules." + e.getKey();
        if (!java.util.List.of("daily", "monthlyReport", "full").contains(e.getKey())) {
          throw new ConfigException("unknown key '" + key + "' in " + file + " (known keys: daily, monthlyReport, full)");
        }
        String v = e.getValue() == null ? "off" : e.getValue().trim();
        if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false") || v.equalsIgnoreCase("none") || v.isEmpty()) {
          schedules.remove(e.getKey());
          continue;
        }
        ScheduleExpression expression;
        try {
          expression = ScheduleExpression.parse(v);
        } catch (IllegalArgumentException ex) {
          throw new ConfigException("bad value for '" + key + "' in " + file + ": " + ex.getMessage());
        }
        if (expression.nextAfter(java.time.Instant.now()).equals(java.time.Instant.MAX)) {
          throw new ConfigException("bad value for '" + key + "' in " + file + ": '" + v
              + "' never fires (a day that does not exist, or only years in the past)");
        }
        schedules.put(e.getKey(), expression);
      }
    }
    List<Subscription> notifications = new ArrayList<>();
    if (raw.notifications != null) {
      for (int i = 0; i < raw.notifications.size(); i++) {
        Map<String, Object> entry = raw.notifications.get(i);
        if (entry == null) {
          throw new ConfigException("bad value for 'notifications[" + i + "]' in " + file + ": empty entry");
        }
        notifications.add(Subscription.parse(entry, "notifications[" + i + "]"));
      }
    }
    Workflows.Timeouts t = d.timeouts();
    if (raw.timeouts != null) {
      for (Map.Entry<String, String> e : raw.timeouts.entrySet()) {
        String key = "timeouts." + e.getKey();
        Duration v = Durations.parse(key, e.getValue(), Duration.ofMillis(1), MAX_TIMEOUT);
        switch (e.getKey()) {
          case "daily":
            t = new Workflows.Timeouts(v, t.full(), t.report());
            break;
          case "full":
            t = new Workflows.Timeouts(t.daily(), v, t.report());
            break;
          case "report":
            t = new Workflows.Timeouts(t.daily(), t.full(), v);
            break;
          default:
            throw new ConfigException("unknown key '" + key + "' in " + file + " (known keys: daily, full, report)");
        }
      }
    }
    // S3 presigns for 1 second to 7 days; signed server links keep to the same bounds
    Duration linkExpiry = raw.linkExpiry == null ? d.linkExpiry()
        : Durations.parse("linkExpiry", raw.linkExpiry, Duration.ofSeconds(1), MAX_LINK_EXPIRY);
    ServerSettings server = d.server();
    if (raw.server != null) {
      String host;
      try {
        host = Addresses.host(raw.server.host == null ? server.host() : raw.server.host);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("bad value for 'server.host' in " + file + ": " + e.getMessage());
      }
      int port = raw.server.port == null ? server.port() : raw.server.port;
      if (port < 0 || port > 65535) {
        throw new ConfigException("bad value for 'server.port' in " + file + ": " + port + " (expected 0 to 65535)");
      }
      if (port == 0 && raw.server.baseUrl == null) {
        // links are made by other processes too (cdr start report), which cannot know a port picked at start
        throw new ConfigException("bad value for 'server.port' in " + file
            + ": 0 (any free port) needs server.baseUrl, or the links would point at port 0");
      }
      boolean anyAddress = host.equals("0.0.0.0") || host.equals("::") || host.equals("127.0.0.1") || host.equals("::1");
      String baseUrl;
      try {
        baseUrl = Addresses.baseUrl(raw.server.baseUrl != null ? raw.server.baseUrl
            : "http://" + (anyAddress ? "localhost" : Addresses.inUrl(host)) + ":" + port);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("bad value for 'server.baseUrl' in " + file + ": " + e.getMessage());
      }
      server = new ServerSettings(host, port, baseUrl, token(raw.server.token, file));
    }
    S3Settings s3 = d.s3();
    if (raw.s3 != null) {
      java.util.Optional<java.net.URI> endpoint = java.util.Optional.empty();
      if (raw.s3.endpoint != null && !raw.s3.endpoint.isBlank()) {
        try {
          endpoint = java.util.Optional.of(Addresses.endpoint(raw.s3.endpoint));
        } catch (IllegalArgumentException e) {
          throw new ConfigException("bad value for 's3.endpoint' in " + file + ": " + e.getMessage());
        }
      }
      int concurrency = raw.s3.maxConcurrency == null ? s3.maxConcurrency() : raw.s3.maxConcurrency;
      if (concurrency < 1 || concurrency > 1024) {
        throw new ConfigException("bad value for 's3.maxConcurrency' in " + file + ": " + concurrency + " (expected 1 to 1024)");
      }
      String region = raw.s3.region == null || raw.s3.region.isBlank() ? null : raw.s3.region.trim();
      if (region != null && !region.matches("[a-z]{2}(-[a-z]+)+-\\d+|[a-z0-9-]+")) {
        throw new ConfigException("bad value for 's3.region' in " + file + ": '" + region + "'");
      }
      s3 = new S3Settings(endpoint, raw.s3.pathStyle != null ? raw.s3.pathStyle : endpoint.isPresent(),
          java.util.Optional.ofNullable(region), concurrency);
    }
    long cacheBytes = d.queryCacheBytes();
    if (raw.queryCacheSize != null) {
      cacheBytes = Sizes.parse("queryCacheSize", raw.queryCacheSize);
    }
    QueryLimits query = queryLimits(raw.query, memory, machineMemory);
    ApiQueryLimits apiQuery = apiQueryLimits(raw.query, query, file);
    StoreLocation processed = location("processedBucket", raw.processedBucket, base, d.processedBucket());
    TableSettings table = table(raw.table, base, file, processed);
    StoreLocation cdrBucket = location("cdrBucket", raw.cdrBucket, base, d.cdrBucket());
    Optional<StoreLocation> additionalCdrBucket = raw.additionalCdrBucket == null || raw.additionalCdrBucket.isBlank()
        ? Optional.empty()
        : Optional.of(location("additionalCdrBucket", raw.additionalCdrBucket, base, null));
    StoreLocation reportsBucket = location("reportsBucket", raw.reportsBucket, base, d.reportsBucket());
    Map<String, StoreLocation> written = new LinkedHashMap<>();
    written.put("stateDir", new StoreLocation.Local(stateDir));
    written.put("processedBucket", processed);
    written.put("reportsBucket", reportsBucket);
    table.warehouse().ifPresent(w -> written.put("table.warehouse", w));
    outsideCdrBuckets(written, cdrBucket, additionalCdrBucket, file);
    LaunchSettings launch = raw.launch == null || raw.launch.fullEtl == null ? LaunchSettings.defaults()
        : new LaunchSettings(raw.launch.fullEtl);
    EtlSettings etl = etl(raw.etl, file);
    int backfillDays = raw.backfillDays == null ? Config.DEFAULT_BACKFILL_DAYS : raw.backfillDays;
    if (backfillDays < 1 || backfillDays > Config.MAX_BACKFILL_DAYS) {
      throw new ConfigException("bad value for 'backfillDays' in " + file + ": " + backfillDays + " (expected 1 to "
          + Config.MAX_BACKFILL_DAYS + " days; 'backfill: false' turns backfill off)");
    }
    Config.Engine engine = engine(raw.engine, file);
    SparkSettings spark = SparkKeys.validate(raw.spark, engine == Config.Engine.SPARK, base, file);
    return new Config(
        cdrBucket,
        additionalCdrBucket,
        processed,
        reportsBucket,
        stateDir,
        database,
        dailyWorkers,
        fullWorkers,
        catalogUrl,
        memory,
        sample,
        schedules,
        notifications,
        t,
        linkExpiry,
        server,
        raw.backfill == null || raw.backfill,
        backfillDays,
        s3,
        cacheBytes,
        query,
        apiQuery,
        table,
        launch,
        etl,
        engine,
        spark,
        Optional.of(file));
  }

  /**
   * Refuses a place the product writes at or inside a CDR bucket: {@code cdr destroy} never
   * changes a CDR bucket, and the query sandbox reads the CDR bucket, so the state folder (the
   * link secret, the catalog) must never be inside it.
   */
  private static void outsideCdrBuckets(Map<String, StoreLocation> written, StoreLocation cdr,
      Optional<StoreLocation> additional, Path file) {
    Map<String, StoreLocation> buckets = new LinkedHashMap<>();
    buckets.put("the CDR bucket", cdr);
    additional.ifPresent(a -> buckets.put("the additional CDR bucket", a));
    for (Map.Entry<String, StoreLocation> w : written.entrySet()) {
      for (Map.Entry<String, StoreLocation> b : buckets.entrySet()) {
        if (Nesting.inside(w.getValue(), b.getValue())) {
          throw new ConfigException("bad value for '" + w.getKey() + "' in " + file + ": " + w.getValue().display()
              + " is inside " + b.getKey() + " " + b.getValue().display()
              + ": cdr never writes into a CDR bucket; choose a place outside it");
        }
      }
    }
  }

  /** The {@code etl:} block: {@code maxShrink} as a percentage from 0% to 100%. */
  private static EtlSettings etl(ConfigFile.EtlFile raw, Path file) {
    if (raw == null || raw.maxShrink == null) {
      return EtlSettings.DEFAULTS;
    }
    try {
      if (!(raw.maxShrink instanceof String text)) {
        throw new IllegalArgumentException("expected a percentage from 0% to 100%, e.g. 50%, got " + raw.maxShrink);
      }
      return new EtlSettings(io.cdrpipeline.table.MaxShrink.parse(text));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for 'etl.maxShrink' in " + file + ": " + e.getMessage());
    }
  }

  /** {@code engine}: embedded (the default) or spark. */
  private static Config.Engine engine(String raw, Path file) {
    if (raw == null) {
      return Config.Engine.EMBEDDED;
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "embedded" -> Config.Engine.EMBEDDED;
      case "spark" -> Config.Engine.SPARK;
      default -> throw new ConfigException("bad value for 'engine' in " + file + ": '" + raw + "' (expected embedded or spark)");
    };
  }

  /**
   * {@code server.token}: sent in an HTTP header and a cookie, so printable ASCII without
   * spaces, and long enough not to be guessed.
   */
  private static Optional<String> token(String raw, Path file) {
    if (raw == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ServerSettings.checkToken(raw));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for 'server.token' in " + file + ": " + e.getMessage());
    }
  }

  /** {@code query.apiTimeout} (at most {@code query.timeout}), {@code query.apiRowLimit} and {@code query.apiConcurrency}. */
  private static ApiQueryLimits apiQueryLimits(ConfigFile.QueryFile raw, QueryLimits cli, Path file) {
    ApiQueryLimits d = ApiQueryLimits.DEFAULTS;
    Duration timeout;
    if (raw == null || raw.apiTimeout == null) {
      timeout = d.timeout().compareTo(cli.timeout()) <= 0 ? d.timeout() : cli.timeout();
    } else {
      timeout = Durations.parse("query.apiTimeout", raw.apiTimeout, Duration.ofSeconds(1), Duration.ofDays(7));
      if (timeout.compareTo(cli.timeout()) > 0) {
        throw new ConfigException("bad value for 'query.apiTimeout' in " + file + ": '" + raw.apiTimeout
            + "' is longer than query.timeout (" + cli.timeout().toString().substring(2).toLowerCase(Locale.ROOT)
            + "): a query of the HTTP API may not take longer than one on the command line");
      }
    }
    int rows = raw == null || raw.apiRowLimit == null ? d.rowLimit() : raw.apiRowLimit;
    if (rows < 1 || rows > ApiQueryLimits.MAX_ROW_LIMIT) {
      throw new ConfigException("bad value for 'query.apiRowLimit' in " + file + ": " + rows
          + " (expected 1 to " + ApiQueryLimits.MAX_ROW_LIMIT + ")");
    }
    java.util.OptionalInt concurrency = java.util.OptionalInt.empty();
    if (raw != null && raw.apiConcurrency != null) {
      if (raw.apiConcurrency < 1 || raw.apiConcurrency > ApiQueryLimits.MAX_CONCURRENCY) {
        throw new ConfigException("bad value for 'query.apiConcurrency' in " + file + ": " + raw.apiConcurrency
            + " (expected 1 to " + ApiQueryLimits.MAX_CONCURRENCY + ")");
      }
      concurrency = java.util.OptionalInt.of(raw.apiConcurrency);
    }
    return new ApiQueryLimits(timeout, rows, concurrency);
  }

  /**
   * The {@code table:} block. Properties go to Iceberg's catalog as text, except the few the
   * product sets itself (where the table's files live and how they are read), which are refused.
   */
  private static TableSettings table(ConfigFile.TableFile raw, Path base, Path file, StoreLocation processedBucket) {
    if (raw == null) {
      return TableSettings.DEFAULTS;
    }
    TableSettings.Kind kind = TableSettings.Kind.JDBC;
    if (raw.catalog != null) {
      kind = switch (raw.catalog.trim().toLowerCase(Locale.ROOT)) {
        case "jdbc" -> TableSettings.Kind.JDBC;
        case "rest" -> TableSettings.Kind.REST;
        case "glue" -> TableSettings.Kind.GLUE;
        default -> throw new ConfigException("bad value for 'table.catalog' in " + file + ": '" + raw.catalog
            + "' (expected jdbc, rest or glue)");
      };
    }
    Optional<StoreLocation> warehouse = raw.warehouse == null ? Optional.empty()
        : Optional.of(location("table.warehouse", raw.warehouse, base, null));
    if (kind == TableSettings.Kind.GLUE && !(warehouse.orElse(processedBucket) instanceof StoreLocation.S3)) {
      throw new ConfigException("bad value for 'table.warehouse' in " + file + ": the glue catalog needs an s3:// "
          + "warehouse (Athena and every other reader of Glue read S3), got " + warehouse.orElse(processedBucket).display()
          + (warehouse.isEmpty() ? " (the processedBucket)" : ""));
    }
    Map<String, String> properties = new LinkedHashMap<>();
    if (raw.properties != null) {
      for (Map.Entry<String, Object> e : raw.properties.entrySet()) {
        String key = "table.properties." + e.getKey();
        Object v = e.getValue();
        if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
          throw new ConfigException("bad value for '" + key + "' in " + file + ": expected text, a number or true/false, got "
              + (v == null ? "nothing" : v instanceof List ? "a list"
                  : "keys and values (write Iceberg's dotted keys whole, e.g. 'glue.id: \"123456789012\"')"));
        }
        String text = v.toString().trim();
        if (text.isEmpty()) {
          throw new ConfigException("bad value for '" + key + "' in " + file + ": must not be empty");
        }
        String reserved = reserved(kind, e.getKey(), text);
        if (reserved != null) {
          throw new ConfigException("bad key '" + key + "' in " + file + ": " + reserved);
        }
        properties.put(e.getKey(), text);
      }
    }
    if (kind == TableSettings.Kind.REST) {
      String uri = properties.get("uri");
      if (uri == null) {
        throw new ConfigException("missing key 'table.properties.uri' in " + file
            + ": the rest catalog needs the URL of its server (e.g. https://catalog.example.com/api/catalog)");
      }
      httpUrl("table.properties.uri", uri, file);
    }
    if (kind == TableSettings.Kind.GLUE && properties.containsKey("glue.endpoint")) {
      httpUrl("table.properties.glue.endpoint", properties.get("glue.endpoint"), file);
    }
    Duration retention = raw.snapshotRetention == null ? TableSettings.DEFAULTS.snapshotRetention()
        : Durations.parse("table.snapshotRetention", raw.snapshotRetention, Duration.ofSeconds(1), Duration.ofDays(3650));
    return new TableSettings(kind, warehouse, properties, retention);
  }

  /** Why a catalog property is the product's to set, or null when it is the user's. */
  private static String reserved(TableSettings.Kind kind, String key, String value) {
    if (key.equals("io-impl")) {
      return "the table's files are read and written by the product's own FileIO (Iceberg's S3FileIO for s3://, "
          + "its local one for a folder); set table.warehouse (and s3) instead";
    }
    if (kind == TableSettings.Kind.JDBC && key.equals("uri")) {
      return "the jdbc catalog is kept in the catalog database; set catalogUrl instead";
    }
    if (kind != TableSettings.Kind.REST && key.equals("warehouse")) {
      return "set table.warehouse instead";
    }
    if (kind == TableSettings.Kind.GLUE && key.equals("glue.lakeformation-enabled") && Boolean.parseBoolean(value)) {
      return "Lake Formation's credentials are not supported: the table's files are read with the product's S3 "
          + "credentials (grant them the warehouse)";
    }
    if (kind == TableSettings.Kind.GLUE && key.equals("client.factory")) {
      return "the product makes the Glue client itself (on its Apache 5 HTTP client); "
          + "for other credentials set client.credentials-provider";
    }
    return null;
  }

  /** An http(s) URL with a host, or a ConfigException naming the key. */
  private static void httpUrl(String key, String value, Path file) {
    try {
      Addresses.httpUrl(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for '" + key + "' in " + file + ": '" + value
          + "' (expected http(s)://host[:port][/path])");
    }
  }

  /** The {@code query:} block; memory defaults to {@code etlMemoryLimit}. */
  private static QueryLimits queryLimits(ConfigFile.QueryFile raw, String etlMemory, long machineMemory) {
    QueryLimits d = QueryLimits.DEFAULTS;
    Duration timeout = raw == null || raw.timeout == null ? d.timeout()
        : Durations.parse("query.timeout", raw.timeout, Duration.ofSeconds(1), Duration.ofDays(7));
    long memory = raw == null || raw.memoryLimit == null ? Sizes.parse("etlMemoryLimit", etlMemory)
        : Sizes.parse("query.memoryLimit", raw.memoryLimit);
    long temp = raw == null || raw.maxTempSize == null ? d.maxTempBytes() : Sizes.parse("query.maxTempSize", raw.maxTempSize);
    if (memory < MIN_ETL_MEMORY) {
      throw new ConfigException("bad value for 'query.memoryLimit': '" + raw.memoryLimit
          + "' is too little for DuckDB (at least 64MB)");
    }
    if (raw != null && raw.memoryLimit != null) {
      atMostMachineMemory("query.memoryLimit", raw.memoryLimit, memory, machineMemory);
    }
    long result = raw == null || raw.resultLimit == null ? QueryLimits.DEFAULT_RESULT_BYTES
        : Sizes.parse("query.resultLimit", raw.resultLimit);
    if (result < MIN_RESULT_BYTES || result > MAX_RESULT_BYTES) {
      throw new ConfigException("bad value for 'query.resultLimit': '" + raw.resultLimit + "' (expected "
          + Sizes.text(MIN_RESULT_BYTES) + " to " + Sizes.text(MAX_RESULT_BYTES) + ")");
    }
    return new QueryLimits(timeout, memory, temp, result);
  }

  /**
   * Refuses more memory for DuckDB than the machine has (a container's limit inside one): DuckDB
   * spills to disk only beyond its limit, so with a limit above the machine's memory the system
   * kills the process before it would spill.
   */
  private static void atMostMachineMemory(String key, String text, long bytes, long machine) {
    if (bytes > machine) {
      throw new ConfigException("bad value for '" + key + "': '" + text.trim() + "' is more than this machine's memory ("
          + Sizes.text(machine) + "): DuckDB would be stopped by the system before it spilled to disk; "
          + "give at most " + Sizes.text(machine) + ", less what the Java heap and other processes need");
    }
  }

  /** The memory of this machine, or of the container it runs in; unbounded when Java cannot tell. */
  static long machineMemory() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getTotalMemorySize() > 0) {
      return sun.getTotalMemorySize();
    }
    return Long.MAX_VALUE;
  }

  /**
   * A SQLite catalog URL with its file resolved against the config's folder; an in-memory
   * database is refused (every command would start from an empty catalog), as is a folder.
   */
  private static String sqliteFile(String url, Path base, Path file) {
    String sqlitePath = url.substring("jdbc:sqlite:".length());
    String lower = sqlitePath.toLowerCase(Locale.ROOT);
    if (sqlitePath.isBlank() || lower.startsWith(":memory:") || lower.contains("mode=memory")
        || lower.startsWith("file::memory:")) {
      throw new ConfigException("bad value for 'catalogUrl' in " + file + ": '" + url
          + "' is an in-memory database, forgotten when the command ends (expected jdbc:sqlite:FILE)");
    }
    if (lower.startsWith(":")) {
      throw new ConfigException("bad value for 'catalogUrl' in " + file + ": '" + url + "' (expected jdbc:sqlite:FILE)");
    }
    if (lower.startsWith("file:")) {
      return url;
    }
    Path db = base.resolve(sqlitePath).toAbsolutePath().normalize();
    if (Files.isDirectory(db)) {
      throw new ConfigException("bad value for 'catalogUrl' in " + file + ": " + db + " is a folder, not a database file");
    }
    return "jdbc:sqlite:" + db;
  }

  private static StoreLocation location(String key, String value, Path base, StoreLocation dflt) {
    if (value == null) {
      return dflt;
    }
    StoreLocation location;
    try {
      location = StoreLocation.parse(value, base);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for '" + key + "': " + e.getMessage());
    }
    if (location instanceof StoreLocation.Local local && Files.exists(local.root()) && !Files.isDirectory(local.root())) {
      throw new ConfigException("bad value for '" + key + "': " + local.root() + " is a file, not a folder");
    }
    return location;
  }

  private static Path path(String key, String value, Path base) {
    if (value.isBlank()) {
      throw new ConfigException("bad value for '" + key + "': must not be empty");
    }
    try {
      return base.resolve(value.trim()).toAbsolutePath().normalize();
    } catch (RuntimeException e) {
      throw new ConfigException("bad value for '" + key + "': '" + value + "' is not a path");
    }
  }

  private static int workers(String key, Integer value, int dflt, Path file) {
    if (value == null) {
      return dflt;
    }
    if (value < 1 || value > 1024) {
      throw new ConfigException(
          "bad value for '" + key + "' in " + file + ": " + value + " (expected 1 to 1024)");
    }
    return value;
  }

  /** The keys and list indexes (Integer) from the top of the file to the value a binding failed on. */
  private static List<Object> segments(JsonMappingException e) {
    List<Object> at = new ArrayList<>();
    for (JsonMappingException.Reference r : e.getPath()) {
      at.add(r.getFieldName() != null ? r.getFieldName() : Integer.valueOf(r.getIndex()));
    }
    return at;
  }

  private static List<Object> segments(com.fasterxml.jackson.core.JsonStreamContext ctx) {
    java.util.Deque<Object> parts = new java.util.ArrayDeque<>();
    for (var c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.addFirst(Integer.valueOf(Math.max(c.getCurrentIndex(), 0)));
      } else if (c.getCurrentName() != null) {
        parts.addFirst(c.getCurrentName());
      }
    }
    return new ArrayList<>(parts);
  }

  /** {@code server.port}, {@code notifications[0].to}. */
  private static String keyPath(List<Object> segments) {
    StringBuilder b = new StringBuilder();
    for (Object s : segments) {
      if (s instanceof Integer i) {
        b.append('[').append(i).append(']');
      } else {
        b.append(b.length() == 0 ? "" : ".").append(s);
      }
    }
    return b.toString();
  }

  private static com.fasterxml.jackson.databind.JsonNode node(com.fasterxml.jackson.databind.JsonNode tree, List<Object> at) {
    com.fasterxml.jackson.databind.JsonNode n = tree;
    for (Object s : at) {
      n = n == null ? null : s instanceof Integer i ? n.get(i) : n.get((String) s);
    }
    return n;
  }

  /** What a key of this Java type takes, in the words of a config file; null if not one of ours. */
  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "expected a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "expected true or false";
    }
    if (type == String.class) {
      return "expected text";
    }
    if (type != null && List.class.isAssignableFrom(type)) {
      return "expected a list";
    }
    if (type != null && (Map.class.isAssignableFrom(type) || type.getEnclosingClass() == ConfigFile.class)) {
      return "expected keys and values";
    }
    return null;
  }

  /** A value as a message shows it: text quoted, a list or a block by its kind. */
  private static String describe(com.fasterxml.jackson.databind.JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isObject()) {
      return "keys and values";
    }
    if (v.isTextual()) {
      String t = v.asText();
      return "'" + (t.length() > 60 ? t.substring(0, 60) + "..." : t).replace("\n", " ") + "'";
    }
    return v.asText();
  }
}
