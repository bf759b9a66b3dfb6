package io.cdrpipeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.catalog.Dialect;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.TableSettings;
import io.cdrpipeline.workflow.Workflows;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads and validates a YAML config file; every mistake becomes one {@link ConfigException}. */
public final class ConfigLoader {
  /** Made on first use: without a config file the YAML machinery is never loaded. */
  private static final class Yaml {
    static final ObjectMapper MAPPER =
        new ObjectMapper(
                new YAMLFactory()
                    .enable(
                        com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
  }

  /**
   * The longest a report link may last: what S3 allows a presigned URL, used for server links too.
   */
  public static final Duration MAX_LINK_EXPIRY = Duration.ofDays(7);

  /** The least memory DuckDB is given: below it, it cannot sort a day or even start a query. */
  public static final long MIN_ETL_MEMORY = 64L * 1000 * 1000;

  /** Names DuckDB keeps for itself: a database of that name cannot hold the tables. */
  private static final List<String> RESERVED_DATABASES =
      List.of("memory", "system", "temp", "information_schema", "pg_catalog");

  private ConfigLoader() {}

  /** The file {@code cdr configure} writes, and every command reads when no other file is named. */
  public static final String DEFAULT_FILE = "cdr.yaml";

  /**
   * The config to use: the file named by {@code --config}, else by {@code CDR_CONFIG}, else {@code
   * ./cdr.yaml} if there is one, else the defaults under {@code ./data}.
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
   * driver): what holds for this machine only (DuckDB's memory against its memory) is not checked
   * there, the commands check it where DuckDB runs.
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
    } catch (CharacterCodingException e) {
      throw new ConfigException("config file " + path + " is not UTF-8 text");
    } catch (AccessDeniedException e) {
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
        throw new ConfigException(
            path
                + " must hold keys and values (e.g. 'cdrBucket: /data/cdrs'), not "
                + tree.getNodeType().toString().toLowerCase(Locale.ROOT));
      } else {
        raw = Yaml.MAPPER.treeToValue(tree, ConfigFile.class);
      }
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.joining(", "));
      throw new ConfigException(
          "unknown key '" + keyPath(segments(e)) + "' in " + path + " (known keys: " + known + ")");
    } catch (MismatchedInputException e) {
      List<Object> at = segments(e);
      String expected = expected(e.getTargetType());
      throw new ConfigException(
          "bad value for '"
              + keyPath(at)
              + "' in "
              + path
              + ": "
              + (expected == null
                  ? FailureText.firstLine(e.getOriginalMessage())
                  : expected + ", got " + describe(node(tree, at))));
    } catch (JsonMappingException e) {
      // e.g. a number too large for its key: without a path, the parser knows where it stood
      List<Object> at = segments(e);
      if (at.isEmpty() && e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p) {
        at = segments(p.getParsingContext());
      }
      com.fasterxml.jackson.databind.JsonNode value = node(tree, at);
      throw new ConfigException(
          "bad value for '"
              + keyPath(at)
              + "' in "
              + path
              + ": "
              + (value != null && value.isIntegralNumber()
                  ? value.asText() + " is too large"
                  : FailureText.firstLine(e.getOriginalMessage())));
    } catch (JsonProcessingException e) {
      // a duplicate key is refused here (STRICT_DUPLICATE_DETECTION): the parser names the key
      // where it stood
      String key =
          e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p
              ? keyPath(segments(p.getParsingContext()))
              : "";
      throw new ConfigException(
          path
              + " is not valid YAML"
              + (key.isEmpty() ? "" : " at '" + key + "'")
              + ": "
              + FailureText.firstLine(e.getOriginalMessage())
              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    try {
      return validate(raw, path, machineMemory);
    } catch (ConfigException e) {
      // the parsers of single values (durations, sizes, locations, subscriptions) do not know the
      // file
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
      throw new ConfigException(
          "bad value for 'stateDir' in " + file + ": " + stateDir + " is a file, not a folder");
    }
    String database = raw.database == null ? Config.DEFAULT_DATABASE : raw.database.trim();
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new ConfigException(
          "bad value for 'database' in "
              + file
              + ": '"
              + raw.database
              + "' is not a SQL name (letters, digits, underscore; not starting with a digit)");
    }
    if (RESERVED_DATABASES.contains(database.toLowerCase(Locale.ROOT))) {
      throw new ConfigException(
          "bad value for 'database' in "
              + file
              + ": '"
              + database
              + "' is a name DuckDB keeps for itself ("
              + String.join(", ", RESERVED_DATABASES)
              + ")");
    }
    int dailyWorkers =
        workers("dailyWorkers", raw.dailyWorkers, Config.DEFAULT_DAILY_WORKERS, file);
    int fullWorkers = workers("fullWorkers", raw.fullWorkers, Config.DEFAULT_FULL_WORKERS, file);
    String catalogUrl = raw.catalogUrl == null ? Config.sqliteUrl(stateDir) : raw.catalogUrl.trim();
    String givenUrl = catalogUrl;
    Dialect dialect =
        Dialect.find(catalogUrl)
            .orElseThrow(
                () ->
                    new ConfigException(
                        "bad value for 'catalogUrl' in "
                            + file
                            + ": '"
                            + Database.redact(givenUrl)
                            + "' (expected jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB)"));
    if (raw.catalogUrl != null) {
      dialect = dialect.resolve(base);
      Optional<String> problem = dialect.problem();
      if (problem.isPresent()) {
        throw new ConfigException("bad value for 'catalogUrl' in " + file + ": " + problem.get());
      }
      catalogUrl = dialect.url();
    }
    String memory = raw.etlMemoryLimit == null ? d.etlMemoryLimit() : raw.etlMemoryLimit.trim();
    // the text goes to DuckDB as it is: Sizes reads exactly the units DuckDB reads, with the same
    // meaning
    long etlMemory = Sizes.parse("etlMemoryLimit", memory);
    if (etlMemory < MIN_ETL_MEMORY) {
      throw new ConfigException(
          "bad value for 'etlMemoryLimit' in "
              + file
              + ": '"
              + memory
              + "' is too little for DuckDB (at least 64MB)");
    }
    atMostMachineMemory("etlMemoryLimit", memory, etlMemory, machineMemory);
    int sample = raw.crawlSampleFiles == null ? d.crawlSampleFiles() : raw.crawlSampleFiles;
    if (sample < 0) {
      throw new ConfigException(
          "bad value for 'crawlSampleFiles' in "
              + file
              + ": "
              + sample
              + " (expected 0 for all files, or a positive count)");
    }
    Map<String, ScheduleExpression> schedules =
        ScheduleKeys.validate(raw.schedules, d.schedules(), file);
    List<Subscription> notifications = NotificationKeys.validate(raw.notifications, file);
    Workflows.Timeouts t = TimeoutKeys.validate(raw.timeouts, d.timeouts(), file);
    // S3 presigns for 1 second to 7 days; signed server links keep to the same bounds
    Duration linkExpiry =
        raw.linkExpiry == null
            ? d.linkExpiry()
            : Durations.parse("linkExpiry", raw.linkExpiry, Duration.ofSeconds(1), MAX_LINK_EXPIRY);
    ServerSettings server = ServerKeys.validate(raw.server, d.server(), file);
    S3Settings s3 = S3Keys.validate(raw.s3, d.s3(), file);
    long cacheBytes = d.queryCacheBytes();
    if (raw.queryCacheSize != null) {
      cacheBytes = Sizes.parse("queryCacheSize", raw.queryCacheSize);
    }
    QueryLimits query = QueryKeys.limits(raw.query, memory, machineMemory);
    ApiQueryLimits apiQuery = QueryKeys.apiLimits(raw.query, query, file);
    StoreLocation processed =
        location("processedBucket", raw.processedBucket, base, d.processedBucket());
    TableSettings table = TableKeys.validate(raw.table, base, file, processed);
    StoreLocation cdrBucket = location("cdrBucket", raw.cdrBucket, base, d.cdrBucket());
    Optional<StoreLocation> additionalCdrBucket =
        raw.additionalCdrBucket == null || raw.additionalCdrBucket.isBlank()
            ? Optional.empty()
            : Optional.of(location("additionalCdrBucket", raw.additionalCdrBucket, base, null));
    StoreLocation reportsBucket =
        location("reportsBucket", raw.reportsBucket, base, d.reportsBucket());
    Map<String, StoreLocation> written = new LinkedHashMap<>();
    written.put("stateDir", new StoreLocation.Local(stateDir));
    written.put("processedBucket", processed);
    written.put("reportsBucket", reportsBucket);
    table.warehouse().ifPresent(w -> written.put("table.warehouse", w));
    outsideCdrBuckets(written, cdrBucket, additionalCdrBucket, file);
    LaunchSettings launch =
        raw.launch == null || raw.launch.fullEtl == null
            ? LaunchSettings.defaults()
            : new LaunchSettings(raw.launch.fullEtl);
    EtlSettings etl = EtlKeys.validate(raw.etl, file);
    int backfillDays = raw.backfillDays == null ? Config.DEFAULT_BACKFILL_DAYS : raw.backfillDays;
    if (backfillDays < 1 || backfillDays > Config.MAX_BACKFILL_DAYS) {
      throw new ConfigException(
          "bad value for 'backfillDays' in "
              + file
              + ": "
              + backfillDays
              + " (expected 1 to "
              + Config.MAX_BACKFILL_DAYS
              + " days; 'backfill: false' turns backfill off)");
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
   * Refuses a place the product writes at or inside a CDR bucket: {@code cdr destroy} never changes
   * a CDR bucket, and the query sandbox reads the CDR bucket, so the state folder (the link secret,
   * the catalog) must never be inside it.
   */
  private static void outsideCdrBuckets(
      Map<String, StoreLocation> written,
      StoreLocation cdr,
      Optional<StoreLocation> additional,
      Path file) {
    Map<String, StoreLocation> buckets = new LinkedHashMap<>();
    buckets.put("the CDR bucket", cdr);
    additional.ifPresent(a -> buckets.put("the additional CDR bucket", a));
    for (Map.Entry<String, StoreLocation> w : written.entrySet()) {
      for (Map.Entry<String, StoreLocation> b : buckets.entrySet()) {
        if (Nesting.inside(w.getValue(), b.getValue())) {
          throw new ConfigException(
              "bad value for '"
                  + w.getKey()
                  + "' in "
                  + file
                  + ": "
                  + w.getValue().display()
                  + " is inside "
                  + b.getKey()
                  + " "
                  + b.getValue().display()
                  + ": cdr never writes into a CDR bucket; choose a place outside it");
        }
      }
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
      default ->
          throw new ConfigException(
              "bad value for 'engine' in " + file + ": '" + raw + "' (expected embedded or spark)");
    };
  }

  /**
   * Refuses more memory for DuckDB than the machine has (a container's limit inside one): DuckDB
   * spills to disk only beyond its limit, so with a limit above the machine's memory the system
   * kills the process before it would spill.
   */
  static void atMostMachineMemory(String key, String text, long bytes, long machine) {
    if (bytes > machine) {
      throw new ConfigException(
          "bad value for '"
              + key
              + "': '"
              + text.trim()
              + "' is more than this machine's memory ("
              + Sizes.text(machine)
              + "): DuckDB would be stopped by the system before it spilled to disk; "
              + "give at most "
              + Sizes.text(machine)
              + ", less what the Java heap and other processes need");
    }
  }

  /**
   * The memory of this machine, or of the container it runs in; unbounded when Java cannot tell.
   */
  static long machineMemory() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun
        && sun.getTotalMemorySize() > 0) {
      return sun.getTotalMemorySize();
    }
    return Long.MAX_VALUE;
  }

  static StoreLocation location(String key, String value, Path base, StoreLocation dflt) {
    if (value == null) {
      return dflt;
    }
    StoreLocation location;
    try {
      location = StoreLocation.parse(value, base);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for '" + key + "': " + e.getMessage());
    }
    if (location instanceof StoreLocation.Local local
        && Files.exists(local.root())
        && !Files.isDirectory(local.root())) {
      throw new ConfigException(
          "bad value for '" + key + "': " + local.root() + " is a file, not a folder");
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

  /**
   * The keys and list indexes (Integer) from the top of the file to the value a binding failed on.
   */
  private static List<Object> segments(JsonMappingException e) {
    List<Object> at = new ArrayList<>();
    for (JsonMappingException.Reference r : e.getPath()) {
      at.add(r.getFieldName() != null ? r.getFieldName() : Integer.valueOf(r.getIndex()));
    }
    return at;
  }

  private static List<Object> segments(com.fasterxml.jackson.core.JsonStreamContext ctx) {
    Deque<Object> parts = new ArrayDeque<>();
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

  private static com.fasterxml.jackson.databind.JsonNode node(
      com.fasterxml.jackson.databind.JsonNode tree, List<Object> at) {
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
    if (type != null
        && (Map.class.isAssignableFrom(type) || type.getEnclosingClass() == ConfigFile.class)) {
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
