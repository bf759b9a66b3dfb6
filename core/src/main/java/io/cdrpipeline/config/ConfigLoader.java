package io.cdrpipeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.TableSettings;
import io.cdrpipeline.workflow.Workflows;
import java.io.IOException;
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
    return load(file, ResourceKeys.machineMemory());
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
    Path stateDir = PlaceKeys.stateDir(raw.stateDir, base, d.stateDir(), file);
    String database = PlaceKeys.database(raw.database, file);
    int dailyWorkers =
        ResourceKeys.workers("dailyWorkers", raw.dailyWorkers, Config.DEFAULT_DAILY_WORKERS, file);
    int fullWorkers =
        ResourceKeys.workers("fullWorkers", raw.fullWorkers, Config.DEFAULT_FULL_WORKERS, file);
    String catalogUrl = PlaceKeys.catalogUrl(raw.catalogUrl, stateDir, base, file);
    String memory =
        ResourceKeys.etlMemoryLimit(raw.etlMemoryLimit, d.etlMemoryLimit(), machineMemory, file);
    int sample = ResourceKeys.crawlSampleFiles(raw.crawlSampleFiles, d.crawlSampleFiles(), file);
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
        PlaceKeys.location("processedBucket", raw.processedBucket, base, d.processedBucket());
    TableSettings table = TableKeys.validate(raw.table, base, file, processed);
    StoreLocation cdrBucket = PlaceKeys.location("cdrBucket", raw.cdrBucket, base, d.cdrBucket());
    Optional<StoreLocation> additionalCdrBucket =
        raw.additionalCdrBucket == null || raw.additionalCdrBucket.isBlank()
            ? Optional.empty()
            : Optional.of(
                PlaceKeys.location("additionalCdrBucket", raw.additionalCdrBucket, base, null));
    StoreLocation reportsBucket =
        PlaceKeys.location("reportsBucket", raw.reportsBucket, base, d.reportsBucket());
    Map<String, StoreLocation> written = new LinkedHashMap<>();
    written.put("stateDir", new StoreLocation.Local(stateDir));
    written.put("processedBucket", processed);
    written.put("reportsBucket", reportsBucket);
    table.warehouse().ifPresent(w -> written.put("table.warehouse", w));
    PlaceKeys.outsideCdrBuckets(written, cdrBucket, additionalCdrBucket, file);
    LaunchSettings launch =
        raw.launch == null || raw.launch.fullEtl == null
            ? LaunchSettings.defaults()
            : new LaunchSettings(raw.launch.fullEtl);
    EtlSettings etl = EtlKeys.validate(raw.etl, file);
    int backfillDays = ResourceKeys.backfillDays(raw.backfillDays, file);
    Config.Engine engine = ResourceKeys.engine(raw.engine, file);
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
        AlarmKeys.validate(raw.alarms, notifications, file),
        WatchKeys.validate(raw.watch, file),
        Optional.of(file));
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
