package io.cdrpipeline.app.spark;

import io.cdrpipeline.config.SparkSettings;
import io.cdrpipeline.etl.EtlException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkLauncher;

/**
 * How this deployment submits the Spark ETL application ({@code spark-submit --class
 * io.cdrpipeline.spark.SparkEtlApp <job jar> --config <cdr.yaml> ...}) through SparkLauncher, in a
 * JVM of its own: with the Spark installation {@code spark.submit} names, or else with a
 * spark-submit the product writes that runs Spark's own submit class from the build's jars.
 */
public final class SparkJob {
  public static final String MAIN_CLASS = "io.cdrpipeline.spark.SparkEtlApp";

  /** The conf that tags a submission, so that its driver's process can be told from any other. */
  public static final String TAG_CONF = "spark.cdr.submission";

  public static final String CLASSPATH_FILE = "spark-classpath.txt";
  private static final String BUILD_HINT = "mvn -B -DskipTests -pl spark -am package";
  private static final DateTimeFormatter TAG_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  /** How long the logs of a submission are kept. */
  private static final Duration KEEP_LOGS = Duration.ofDays(14);

  /**
   * What one application is asked to do: one day, or every crawled day; the workers hint; the
   * execution, for its logs.
   */
  public record Request(
      Optional<LocalDate> day, boolean force, int workers, Optional<String> execution) {
    public Request {
      Objects.requireNonNull(day, "day is null");
      Objects.requireNonNull(execution, "execution is null");
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, got " + workers);
      }
    }

    boolean full() {
      return day.isEmpty();
    }

    /** The job's arguments, as the job's contract spells them. */
    List<String> args(Path config) {
      List<String> a = new ArrayList<>(List.of("--config", config.toString()));
      if (day.isPresent()) {
        a.addAll(List.of("--date", day.get().toString()));
      } else {
        a.add("--full");
      }
      if (force) {
        a.add("--force");
      }
      a.addAll(List.of("--workers", Integer.toString(workers)));
      execution.ifPresent(id -> a.addAll(List.of("--execution", id)));
      return a;
    }

    String what() {
      return day.map(LocalDate::toString).orElse("every crawled day");
    }
  }

  private final SparkSettings settings;
  private final Path configFile;
  private final Path stateDir;
  private final Optional<Path> buildRoot;

  public SparkJob(
      SparkSettings settings, Path configFile, Path stateDir, Optional<Path> buildRoot) {
    this.settings = Objects.requireNonNull(settings, "settings is null");
    this.configFile = Objects.requireNonNull(configFile, "configFile is null");
    this.stateDir = Objects.requireNonNull(stateDir, "stateDir is null");
    this.buildRoot = Objects.requireNonNull(buildRoot, "buildRoot is null");
  }

  SparkSettings settings() {
    return settings;
  }

  /** The config file the job reads. */
  Path configFile() {
    return configFile;
  }

  /**
   * The folder of the build this product runs from (the one holding spark/pom.xml), if it runs from
   * one.
   */
  public static Optional<Path> buildRoot() {
    try {
      Path at = Path.of(SparkJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = at; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("spark").resolve("pom.xml"))) {
          return Optional.of(p);
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // not run from a file: no build around it
    }
    return Optional.empty();
  }

  /**
   * The Spark line the application is submitted to: that of the installation {@code spark.submit}
   * names, else the product's own Spark's (4.1).
   */
  SparkLine line() {
    return settings.sparkHome().map(SparkLine::of).orElse(SparkLine.OWN);
  }

  /**
   * The job jar: {@code spark.jobJar}, else the build's jar for the Spark line it is submitted to
   * ({@code spark/target/cdr-spark-job-4.1.jar} or {@code
   * spark/spark-3.5/target/cdr-spark-job-3.5.jar}); one line when missing.
   */
  String jobJar() {
    if (settings.jobJar().isPresent()) {
      return hadoopUrl(settings.jobJar().get(), settings.master());
    }
    SparkLine line = line();
    Path jar =
        buildRoot
            .map(line::jar)
            .orElseThrow(
                () ->
                    new EtlException(
                        "engine spark: set spark.jobJar to the Spark job's jar for Spark "
                            + line.version()
                            + " ("
                            + line.jarName()
                            + "); this installation has no build of its own",
                        null));
    if (!Files.isRegularFile(jar)) {
      throw new EtlException(
          "engine spark: the Spark job's jar for Spark "
              + line.version()
              + " "
              + jar
              + " is not built (./cdr builds it when its config says engine: spark; or "
              + line.buildCommand()
              + "), or set spark.jobJar",
          null);
    }
    return jar.toString();
  }

  /**
   * The job jar's URL as spark-submit and the cluster fetch it: {@code s3://} and {@code s3a://}
   * name the same object. Outside YARN, Hadoop's file system for S3 is S3A, which only answers to
   * {@code s3a://}: an {@code s3://} jar is fetched as {@code s3a://}. On YARN the URL goes as
   * written (on EMR, EMRFS serves {@code s3://} and S3A {@code s3a://}).
   */
  static String hadoopUrl(String jar, String master) {
    if (!master.equals("yarn") && jar.regionMatches(true, 0, "s3://", 0, 5)) {
      return "s3a://" + jar.substring(5);
    }
    return jar;
  }

  /**
   * Starts the application, whose state SparkLauncher then follows. The driver's output goes to
   * {@code stateDir/spark/<tag>/driver.out} and {@code driver.err}.
   */
  SparkSubmission submit(Request r) throws IOException {
    String jar = jobJar();
    Path home = settings.sparkHome().isPresent() ? settings.sparkHome().get() : ownSparkSubmit();
    Instant now = Instant.now();
    String tag = "etl-" + TAG_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
    Path root = stateDir.resolve("spark");
    Files.createDirectories(root);
    SparkSubmission.prune(root, KEEP_LOGS);
    Path logs = Files.createDirectories(root.resolve(tag));
    Path out = logs.resolve("driver.out");
    Path err = logs.resolve("driver.err");
    Map<String, String> env = new HashMap<>();
    if (settings.localMaster() && System.getenv("SPARK_LOCAL_IP") == null) {
      env.put(
          "SPARK_LOCAL_IP", "127.0.0.1"); // nothing outside this machine talks to a local[N] driver
    }
    SparkLauncher l =
        new SparkLauncher(env)
            .setSparkHome(home.toString())
            .setMaster(settings.master())
            .setDeployMode(settings.deployMode().spelling())
            .setAppName("cdr-etl " + r.what() + " " + tag)
            .setConf(TAG_CONF, tag)
            .setMainClass(MAIN_CLASS)
            .setAppResource(jar)
            .directory(configFile.getParent().toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    settings.conf().forEach(l::setConf);
    if (!settings.localMaster() && !settings.conf().containsKey("spark.executor.instances")) {
      l.setConf("spark.executor.instances", Integer.toString(settings.executorsFor(r.workers())));
    }
    l.addAppArgs(r.args(configFile).toArray(String[]::new));
    SparkAppHandle handle = l.startApplication();
    Optional<ProcessHandle> driver = driver(tag);
    SparkSubmission.Record record =
        new SparkSubmission.Record(
            tag,
            host(),
            driver.map(ProcessHandle::pid).orElse(-1L),
            Optional.ofNullable(handle.getAppId()),
            now,
            out,
            err);
    SparkSubmission.Launched launched = new SparkSubmission.Launched(handle, driver, record);
    if (standaloneCluster()) {
      return new StandaloneDriver(
          Optional.of(launched), record.withMasterRest(masterRest(settings)));
    }
    return launched;
  }

  /**
   * True when the driver runs on a standalone cluster's worker: the master keeps the record of it,
   * which the product follows through the master's REST server.
   */
  boolean standaloneCluster() {
    return settings.deployMode() == SparkSettings.DeployMode.CLUSTER
        && settings.master().startsWith("spark://");
  }

  /**
   * The REST addresses of the standalone masters: their hosts, with {@code spark.master.rest.port}
   * (Spark's default 6066 when the conf does not set it).
   */
  static List<String> masterRest(SparkSettings settings) {
    int port = StandaloneDriver.DEFAULT_REST_PORT;
    String conf = settings.conf().get("spark.master.rest.port");
    if (conf != null) {
      try {
        port = Integer.parseInt(conf.strip());
      } catch (NumberFormatException e) {
        throw new EtlException(
            "engine spark: spark.conf.spark.master.rest.port is not a port number: " + conf, null);
      }
    }
    return StandaloneDriver.restUrls(settings.master(), port);
  }

  /**
   * The child process that runs the submission tagged {@code tag}: spark-submit, then in client
   * mode the driver.
   */
  private static Optional<ProcessHandle> driver(String tag) {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      Optional<ProcessHandle> p =
          ProcessHandle.current()
              .children()
              .filter(c -> SparkSubmission.isDriver(c, tag))
              .findFirst();
      if (p.isPresent() || System.nanoTime() > end) {
        return p;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }

  /**
   * A Spark home of the product's own under {@code stateDir/spark/home}: its {@code
   * bin/spark-submit} runs Spark's submit class ({@code org.apache.spark.deploy.SparkSubmit}) on
   * this JVM's java with the build's Spark jars ({@code spark/target/spark-classpath.txt}), the
   * module options Spark needs on Java 17, {@code spark.driver.memory} and {@code
   * spark.driver.extraJavaOptions}, as Spark's own script would for a driver in client mode.
   */
  private Path ownSparkSubmit() throws IOException {
    Path classpath =
        buildRoot
            .map(r -> r.resolve("spark").resolve("target").resolve(CLASSPATH_FILE))
            .filter(Files::isRegularFile)
            .orElseThrow(
                () ->
                    new EtlException(
                        "engine spark: without spark.submit the product runs Spark from its build, "
                            + "and spark/target/"
                            + CLASSPATH_FILE
                            + " is missing ("
                            + BUILD_HINT
                            + "); or set spark.submit to a Spark installation",
                        null));
    String cp = Files.readString(classpath, StandardCharsets.UTF_8).strip();
    Path home = stateDir.resolve("spark").resolve("home");
    Path bin = Files.createDirectories(home.resolve("bin"));
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx" + settings.conf().getOrDefault("spark.driver.memory", "1g"));
    jvm.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
    // what Spark's own script gives a client-mode driver's JVM (split at spaces: no quoting)
    String extra = settings.conf().getOrDefault("spark.driver.extraJavaOptions", "").strip();
    if (!extra.isEmpty()) {
      jvm.addAll(List.of(extra.split("\\s+")));
    }
    jvm.add("-cp");
    jvm.add(cp);
    // an argument file keeps the driver's command line short: it is what tells its process from
    // others
    StringBuilder args = new StringBuilder();
    for (String a : jvm) {
      args.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
    }
    Path argFile = home.resolve("driver-jvm.args");
    write(argFile, args.toString());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    write(
        bin.resolve("spark-submit"),
        "#!/bin/sh\n"
            + "# Written by cdr: Spark's submit class from the product's build (no Spark installation).\n"
            + "exec "
            + sh(java)
            + " "
            + sh("@" + argFile)
            + " org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    Files.setPosixFilePermissions(
        bin.resolve("spark-submit"), PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  /** Writes a file whole, so that a submission starting at the same time never runs half of it. */
  private static void write(Path file, String text) throws IOException {
    if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A word for sh, quoted. */
  private static String sh(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** This host's name, as executions name their owners. */
  static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
