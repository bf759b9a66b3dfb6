package io.cdrpipeline.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks {@code spark.submit: glue} and {@code spark.submit: emr} with their blocks ({@code
 * spark.glue:}, {@code spark.emr:}), {@code spark.staging} and the job jar on S3; each mistake is
 * one {@link ConfigException} naming its key.
 */
final class SparkServiceKeys {
  static final String GLUE = "glue";
  static final String EMR = "emr";

  /** The job name Glue shows when {@code spark.glue.jobName} is not set. */
  static final String DEFAULT_JOB_NAME = "cdr-etl";

  /** Glue's general-purpose worker: 4 vCPU, 16 GB. */
  static final String DEFAULT_WORKER_TYPE = "G.1X";

  private static final Pattern S3_URL =
      Pattern.compile("s3a?://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?");
  private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
  private static final Pattern ROLE =
      Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}|[\\w+=,.@-]{1,64}");
  private static final Pattern WORKER_TYPE = Pattern.compile("[A-Z]\\.\\d+X");
  private static final Pattern CLUSTER_ID = Pattern.compile("j-[A-Z0-9]{1,64}");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

  private SparkServiceKeys() {}

  /** True if {@code spark.submit} names a service rather than a Spark installation. */
  static boolean names(String submit) {
    if (submit == null) {
      return false;
    }
    String s = submit.trim().toLowerCase(Locale.ROOT);
    return s.equals(GLUE) || s.equals(EMR);
  }

  /** The service {@code raw.submit} names, with its settings. */
  static SparkService validate(ConfigFile.SparkFile raw, Path file) {
    String which = raw.submit.trim().toLowerCase(Locale.ROOT);
    if (raw.master != null) {
      throw bad(
          "spark.master",
          file,
          "'"
              + raw.master.trim()
              + "' has no meaning with spark.submit: "
              + which
              + " (remove it)");
    }
    if (raw.deployMode != null) {
      throw bad(
          "spark.deployMode",
          file,
          "has no meaning with spark.submit: "
              + which
              + (which.equals(EMR) ? " (the step runs in cluster mode)" : "")
              + " (remove it)");
    }
    if (raw.staging == null || raw.staging.isBlank()) {
      throw missing("spark.staging", file, which, "s3://my-bucket/cdr-staging");
    }
    String staging = s3("spark.staging", raw.staging, file);
    if (which.equals(GLUE)) {
      if (raw.emr != null) {
        throw new ConfigException(
            "bad key 'spark.emr' in " + file + ": spark.submit is glue (remove the emr block)");
      }
      ConfigFile.GlueFile g = raw.glue == null ? new ConfigFile.GlueFile() : raw.glue;
      String name = text(g.jobName, DEFAULT_JOB_NAME);
      if (!JOB_NAME.matcher(name).matches()) {
        throw bad(
            "spark.glue.jobName", file, "'" + name + "' (letters, digits, _ . -; at most 255)");
      }
      if (g.role == null || g.role.isBlank()) {
        throw missing("spark.glue.role", file, which, "arn:aws:iam::123456789012:role/cdr-glue");
      }
      String role = g.role.trim();
      if (!ROLE.matcher(role).matches()) {
        throw bad(
            "spark.glue.role",
            file,
            "'" + role + "' (expected an IAM role's name or arn:aws:iam::ACCOUNT:role/NAME)");
      }
      String type = text(g.workerType, DEFAULT_WORKER_TYPE);
      if (!WORKER_TYPE.matcher(type).matches()) {
        throw bad("spark.glue.workerType", file, "'" + type + "' (expected G.1X, G.2X, R.1X, ...)");
      }
      List<String> connections = new ArrayList<>();
      if (g.connections != null) {
        for (String c : g.connections) {
          if (c == null || c.isBlank() || c.trim().length() > 255) {
            throw bad(
                "spark.glue.connections", file, "'" + c + "' (expected Glue connections' names)");
          }
          connections.add(c.trim());
        }
      }
      return new SparkService.Glue(
          name,
          role,
          type,
          connections,
          staging,
          region("spark.glue.region", g.region, file),
          endpoint("spark.glue.endpoint", g.endpoint, file));
    }
    if (raw.glue != null) {
      throw new ConfigException(
          "bad key 'spark.glue' in " + file + ": spark.submit is emr (remove the glue block)");
    }
    if (raw.emr == null || raw.emr.clusterId == null || raw.emr.clusterId.isBlank()) {
      throw missing("spark.emr.clusterId", file, which, "j-1ABCDEFGHIJKL");
    }
    String id = raw.emr.clusterId.trim();
    if (!CLUSTER_ID.matcher(id).matches()) {
      throw bad("spark.emr.clusterId", file, "'" + id + "' (expected an EMR cluster id, j-...)");
    }
    return new SparkService.Emr(
        id,
        staging,
        region("spark.emr.region", raw.emr.region, file),
        endpoint("spark.emr.endpoint", raw.emr.endpoint, file));
  }

  /** {@code spark.glue} or {@code spark.emr} without the {@code spark.submit} that uses them. */
  static void unused(ConfigFile.SparkFile raw, Path file) {
    for (String block : new String[] {GLUE, EMR}) {
      if ((block.equals(GLUE) ? raw.glue : raw.emr) != null) {
        throw new ConfigException(
            "bad key 'spark."
                + block
                + "' in "
                + file
                + ": it is read only with spark.submit: "
                + block);
      }
    }
    if (raw.staging != null) {
      throw new ConfigException(
          "bad key 'spark.staging' in "
              + file
              + ": it is read only with spark.submit: glue or emr");
    }
  }

  /**
   * The job jar of a run on a service: an {@code s3://} or {@code s3a://} URL (the same object),
   * given as {@code s3://}.
   */
  static String jobJar(String value, String which, Path file) {
    if (value == null || value.isBlank()) {
      throw missing("spark.jobJar", file, which, "s3://my-bucket/jars/cdr-spark-job-3.5.jar");
    }
    String jar = s3("spark.jobJar", value, file);
    if (jar.endsWith("/")) {
      throw bad("spark.jobJar", file, "'" + value.trim() + "' names a folder, not the job's jar");
    }
    return jar;
  }

  /** An S3 URL as {@code s3://bucket[/key]}, without a trailing slash after the bucket's path. */
  private static String s3(String key, String value, Path file) {
    String v = value.trim();
    var m = S3_URL.matcher(v);
    if (!m.matches()) {
      throw bad(
          key,
          file,
          "'" + v + "' (expected s3://bucket/path: what the service reads must be on S3)");
    }
    String path = m.group(2) == null ? "" : m.group(2);
    if (key.equals("spark.staging")) {
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
    }
    return "s3://" + m.group(1) + path;
  }

  private static String text(String value, String dflt) {
    return value == null || value.isBlank() ? dflt : value.trim();
  }

  private static Optional<String> region(String key, String value, Path file) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String r = value.trim();
    if (!REGION.matcher(r).matches()) {
      throw bad(key, file, "'" + r + "' (expected an AWS region, e.g. us-east-1)");
    }
    return Optional.of(r);
  }

  private static Optional<URI> endpoint(String key, String value, Path file) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Addresses.endpoint(value));
    } catch (IllegalArgumentException e) {
      throw bad(key, file, e.getMessage());
    }
  }

  private static ConfigException missing(String key, Path file, String which, String example) {
    return new ConfigException(
        "missing '"
            + key
            + "' in "
            + file
            + ": spark.submit: "
            + which
            + " needs it (e.g. "
            + key.substring(key.lastIndexOf('.') + 1)
            + ": "
            + example
            + ")");
  }

  private static ConfigException bad(String key, Path file, String what) {
    return new ConfigException("bad value for '" + key + "' in " + file + ": " + what);
  }
}
