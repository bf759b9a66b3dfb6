package io.cdrpipeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
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
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
  }

  private ConfigLoader() {}

  /**
   * The config to use: the file named by {@code --config}, else by {@code CDR_CONFIG}, else
   * the defaults under {@code ./data}.
   */
  public static Config resolve(Path explicit, String env, Path workingDir) {
    if (explicit != null) {
      return load(explicit);
    }
    if (env != null && !env.isBlank()) {
      return load(Path.of(env));
    }
    return Config.defaults(workingDir.resolve("data"));
  }

  /** Loads a config file. */
  public static Config load(Path file) {
    Path path = file.toAbsolutePath().normalize();
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + path);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    ConfigFile raw;
    try {
      // through a tree: a file of only comments is empty, and a value is bound with its key path
      com.fasterxml.jackson.databind.JsonNode tree = text.isBlank() ? null : Yaml.MAPPER.readTree(text);
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
          "unknown key '" + keyPath(e) + "' in " + path + " (known keys: " + known + ")");
    } catch (MismatchedInputException e) {
      throw new ConfigException(
          "bad value for '" + keyPath(e) + "' in " + path + ": " + firstLine(e.getOriginalMessage()));
    } catch (JsonMappingException e) {
      // e.g. a number too large for its key: without a path, the parser knows where it stood
      String key = keyPath(e);
      if (key.isEmpty() && e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p) {
        key = keyPath(p.getParsingContext());
      }
      throw new ConfigException("bad value for '" + key + "' in " + path + ": " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new ConfigException(path + " is not valid YAML: " + firstLine(e.getOriginalMessage())
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    return validate(raw, path);
  }

  static Config validate(ConfigFile raw, Path file) {
    Path base = file.getParent();
    Config d = Config.defaults(base.resolve("data"));
    Path stateDir = raw.stateDir == null ? d.stateDir() : path("stateDir", raw.stateDir, base);
    String database = raw.database == null ? Config.DEFAULT_DATABASE : raw.database.trim();
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new ConfigException(
          "bad value for 'database' in " + file + ": '" + raw.database
              + "' is not a SQL name (letters, digits, underscore; not starting with a digit)");
    }
    int dailyWorkers = workers("dailyWorkers", raw.dailyWorkers, Config.DEFAULT_DAILY_WORKERS, file);
    int fullWorkers = workers("fullWorkers", raw.fullWorkers, Config.DEFAULT_FULL_WORKERS, file);
    String catalogUrl = raw.catalogUrl == null ? Config.sqliteUrl(stateDir) : raw.catalogUrl.trim();
    if (!catalogUrl.startsWith("jdbc:sqlite:") && !catalogUrl.startsWith("jdbc:postgresql:")) {
      throw new ConfigException(
          "bad value for 'catalogUrl' in " + file + ": '" + catalogUrl
              + "' (expected jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB)");
    }
    if (catalogUrl.startsWith("jdbc:sqlite:") && raw.catalogUrl != null) {
      String sqlitePath = catalogUrl.substring("jdbc:sqlite:".length());
      if (!sqlitePath.isEmpty() && !sqlitePath.startsWith(":") && !sqlitePath.startsWith("file:")) {
        catalogUrl = "jdbc:sqlite:" + base.resolve(sqlitePath).toAbsolutePath().normalize();
      }
    }
    String memory = raw.etlMemoryLimit == null ? d.etlMemoryLimit() : raw.etlMemoryLimit.trim();
    if (!memory.toUpperCase(Locale.ROOT).matches("\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)")) {
      throw new ConfigException(
          "bad value for 'etlMemoryLimit' in " + file + ": '" + raw.etlMemoryLimit + "' (expected a size such as 512MB or 2GB)");
    }
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
        try {
          schedules.put(e.getKey(), ScheduleExpression.parse(v));
        } catch (IllegalArgumentException ex) {
          throw new ConfigException("bad value for '" + key + "' in " + file + ": " + ex.getMessage());
        }
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
        Duration v = Durations.parse(key, e.getValue());
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
    Duration linkExpiry = raw.linkExpiry == null ? d.linkExpiry() : Durations.parse("linkExpiry", raw.linkExpiry);
    ServerSettings server = d.server();
    if (raw.server != null) {
      String host = raw.server.host == null ? server.host() : raw.server.host.trim();
      int port = raw.server.port == null ? server.port() : raw.server.port;
      if (port < 0 || port > 65535) {
        throw new ConfigException("bad value for 'server.port' in " + file + ": " + port + " (expected 0 to 65535)");
      }
      String baseUrl = raw.server.baseUrl != null ? raw.server.baseUrl.trim()
          : "http://" + (host.equals("0.0.0.0") || host.equals("127.0.0.1") ? "localhost" : host) + ":" + port;
      if (!baseUrl.matches("https?://[^/\\s]+(/.*)?")) {
        throw new ConfigException("bad value for 'server.baseUrl' in " + file + ": '" + baseUrl + "' (expected http(s)://host[:port])");
      }
      server = new ServerSettings(host, port, baseUrl.replaceAll("/+$", ""));
    }
    S3Settings s3 = d.s3();
    if (raw.s3 != null) {
      java.util.Optional<java.net.URI> endpoint = java.util.Optional.empty();
      if (raw.s3.endpoint != null && !raw.s3.endpoint.isBlank()) {
        String e = raw.s3.endpoint.trim();
        if (!e.matches("https?://[^/\\s]+/?")) {
          throw new ConfigException("bad value for 's3.endpoint' in " + file + ": '" + e + "' (expected http(s)://host[:port])");
        }
        endpoint = java.util.Optional.of(java.net.URI.create(e));
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
    QueryLimits query = queryLimits(raw.query, memory);
    return new Config(
        location("cdrBucket", raw.cdrBucket, base, d.cdrBucket()),
        raw.additionalCdrBucket == null || raw.additionalCdrBucket.isBlank()
            ? Optional.empty()
            : Optional.of(location("additionalCdrBucket", raw.additionalCdrBucket, base, null)),
        location("processedBucket", raw.processedBucket, base, d.processedBucket()),
        location("reportsBucket", raw.reportsBucket, base, d.reportsBucket()),
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
        s3,
        cacheBytes,
        query,
        Optional.of(file));
  }

  /** The {@code query:} block; memory defaults to {@code etlMemoryLimit}. */
  private static QueryLimits queryLimits(ConfigFile.QueryFile raw, String etlMemory) {
    QueryLimits d = QueryLimits.DEFAULTS;
    Duration timeout = raw == null || raw.timeout == null ? d.timeout() : Durations.parse("query.timeout", raw.timeout);
    long memory = raw == null || raw.memoryLimit == null ? Sizes.parse("etlMemoryLimit", etlMemory)
        : Sizes.parse("query.memoryLimit", raw.memoryLimit);
    long temp = raw == null || raw.maxTempSize == null ? d.maxTempBytes() : Sizes.parse("query.maxTempSize", raw.maxTempSize);
    if (memory < 16L << 20) {
      throw new ConfigException("bad value for 'query.memoryLimit': at least 16MB is needed, got " + memory + " bytes");
    }
    return new QueryLimits(timeout, memory, temp);
  }

  private static StoreLocation location(String key, String value, Path base, StoreLocation dflt) {
    if (value == null) {
      return dflt;
    }
    try {
      return StoreLocation.parse(value, base);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for '" + key + "': " + e.getMessage());
    }
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

  private static String keyPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String keyPath(com.fasterxml.jackson.core.JsonStreamContext ctx) {
    java.util.Deque<String> parts = new java.util.ArrayDeque<>();
    for (var c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
      parts.addFirst(c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName());
    }
    return String.join(".", parts).replace(".[", "[");
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
