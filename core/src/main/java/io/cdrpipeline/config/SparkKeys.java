package io.cdrpipeline.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks the {@code spark:} block; each mistake is one {@link ConfigException} naming its key. */
final class SparkKeys {
  private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|\\d+)(,\\d+)?\\])?");
  private static final Pattern STANDALONE =
      Pattern.compile("spark://[A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*");
  private static final Pattern K8S =
      Pattern.compile("k8s://(https?://)?[A-Za-z0-9.-]+(:\\d{1,5})?(/\\S*)?");

  /**
   * A URL spark-submit fetches the jar from (s3a://, hdfs://, local:, https://...), not a path of
   * this machine.
   */
  private static final Pattern REMOTE = Pattern.compile("(?!file:)[A-Za-z][A-Za-z0-9+.-]+:.+");

  /**
   * Set through their own keys, so that the product knows them (the master decides how executors
   * are counted).
   */
  private static final Map<String, String> RESERVED =
      Map.of(
          "spark.master", "set spark.master (the key of the spark block) instead",
          "spark.submit.deployMode", "set spark.deployMode instead");

  private SparkKeys() {}

  /**
   * The settings of {@code raw} (the defaults without a block). Files are checked to exist only
   * when {@code used} (engine: spark): a block kept for later does not stop the embedded engine.
   */
  static SparkSettings validate(ConfigFile.SparkFile raw, boolean used, Path base, Path file) {
    SparkSettings d = SparkSettings.DEFAULTS;
    if (raw == null) {
      return d;
    }
    Optional<SparkService> service = Optional.empty();
    if (SparkServiceKeys.names(raw.submit)) {
      service = Optional.of(SparkServiceKeys.validate(raw, file));
    } else {
      SparkServiceKeys.unused(raw, file);
    }
    String master = raw.master == null ? d.master() : raw.master.trim();
    if (!master(master)) {
      throw bad(
          "spark.master",
          file,
          "'"
              + raw.master
              + "' (expected local[N], local[*], spark://HOST:PORT, yarn or k8s://https://HOST:PORT)");
    }
    SparkSettings.DeployMode mode = d.deployMode();
    if (raw.deployMode != null) {
      mode =
          switch (raw.deployMode.trim().toLowerCase(Locale.ROOT)) {
            case "client" -> SparkSettings.DeployMode.CLIENT;
            case "cluster" -> SparkSettings.DeployMode.CLUSTER;
            default ->
                throw bad(
                    "spark.deployMode",
                    file,
                    "'" + raw.deployMode + "' (expected client or cluster)");
          };
    }
    if (mode == SparkSettings.DeployMode.CLUSTER && LOCAL.matcher(master).matches()) {
      throw bad(
          "spark.deployMode",
          file,
          "cluster needs a cluster master (spark://, yarn or k8s://), not " + master);
    }
    OptionalInt executors = OptionalInt.empty();
    if (raw.executors != null) {
      if (raw.executors < 1 || raw.executors > 1024) {
        throw bad("spark.executors", file, raw.executors + " (expected 1 to 1024)");
      }
      executors = OptionalInt.of(raw.executors);
    }
    Map<String, String> conf = new LinkedHashMap<>();
    if (raw.conf != null) {
      for (Map.Entry<String, Object> e : raw.conf.entrySet()) {
        String key = "spark.conf." + e.getKey();
        Object v = e.getValue();
        if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
          throw bad(
              key,
              file,
              "expected text, a number or true/false, got "
                  + (v == null
                      ? "nothing"
                      : v instanceof List
                          ? "a list"
                          : "keys and values (write Spark's dotted keys whole, e.g. 'spark.executor.memory: 4g')"));
        }
        if (!e.getKey().startsWith("spark.")) {
          throw new ConfigException(
              "bad key '"
                  + key
                  + "' in "
                  + file
                  + ": spark-submit takes only keys starting with 'spark.' (it ignores the others)");
        }
        String reserved = RESERVED.get(e.getKey());
        if (reserved == null
            && e.getKey().equals("spark.executor.instances")
            && executors.isPresent()) {
          reserved = "spark.executors says how many executors already";
        }
        if (reserved != null) {
          throw new ConfigException("bad key '" + key + "' in " + file + ": " + reserved);
        }
        String text = v.toString().trim();
        if (text.isEmpty()) {
          throw bad(key, file, "must not be empty");
        }
        conf.put(e.getKey(), text);
      }
    }
    if (service.isPresent()) {
      String jar =
          SparkServiceKeys.jobJar(raw.jobJar, raw.submit.trim().toLowerCase(Locale.ROOT), file);
      return new SparkSettings(
          master, Optional.empty(), conf, executors, Optional.of(jar), mode, service);
    }
    Optional<Path> home =
        raw.submit == null || raw.submit.isBlank()
            ? Optional.empty()
            : Optional.of(sparkHome(raw.submit.trim(), used, base, file));
    Optional<String> jar = Optional.empty();
    if (raw.jobJar != null) {
      jar = Optional.of(jobJar(raw.jobJar.trim(), used, base, file));
    }
    return new SparkSettings(master, home, conf, executors, jar, mode);
  }

  private static boolean master(String m) {
    Matcher local = LOCAL.matcher(m);
    if (local.matches()) {
      // local[0] runs nothing; "*" is every core
      return local.group(2) == null
          || local.group(2).equals("*")
          || Integer.parseInt(local.group(2)) >= 1;
    }
    return STANDALONE.matcher(m).matches() || m.equals("yarn") || K8S.matcher(m).matches();
  }

  /**
   * {@code spark.submit}: a Spark installation's folder or its {@code bin/spark-submit}; the folder
   * is what SparkLauncher takes.
   */
  private static Path sparkHome(String value, boolean used, Path base, Path file) {
    Path p = base.resolve(value).toAbsolutePath().normalize();
    Path home =
        p.getFileName() != null
                && p.getFileName().toString().equals("spark-submit")
                && p.getParent() != null
                && p.getParent().getParent() != null
            ? p.getParent().getParent()
            : p;
    if (used) {
      if (!Files.exists(p)) {
        throw bad(
            "spark.submit",
            file,
            p + " does not exist (expected a Spark installation's folder or its bin/spark-submit)");
      }
      Path submit = home.resolve("bin").resolve("spark-submit");
      if (!Files.isRegularFile(submit) || !Files.isExecutable(submit)) {
        throw bad(
            "spark.submit",
            file,
            home + " is not a Spark installation: it has no executable bin/spark-submit");
      }
    }
    return home;
  }

  /**
   * {@code spark.jobJar}: a file of this machine (checked), or a URL spark-submit fetches (s3a://,
   * hdfs://, local:...).
   */
  private static String jobJar(String value, boolean used, Path base, Path file) {
    if (value.isEmpty()) {
      throw bad("spark.jobJar", file, "must not be empty");
    }
    if (REMOTE.matcher(value).matches() && !value.matches("[A-Za-z]:[\\\\/].*")) {
      return value;
    }
    Path p =
        base.resolve(value.startsWith("file:") ? value.substring("file:".length()) : value)
            .toAbsolutePath()
            .normalize();
    if (used && !Files.isRegularFile(p)) {
      throw bad(
          "spark.jobJar",
          file,
          p
              + (Files.isDirectory(p) ? " is a folder, not the job's jar" : " does not exist")
              + " (the spark module's build makes spark/target/cdr-spark-job.jar: mvn -B -DskipTests -pl spark -am package)");
    }
    return p.toString();
  }

  private static ConfigException bad(String key, Path file, String what) {
    return new ConfigException("bad value for '" + key + "' in " + file + ": " + what);
  }
}
