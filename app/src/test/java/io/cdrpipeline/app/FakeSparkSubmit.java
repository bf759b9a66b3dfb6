package io.cdrpipeline.app;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.app.spark.SparkSubmission;
import io.cdrpipeline.etl.EtlSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stands in for {@code spark-submit --class io.cdrpipeline.spark.SparkEtlApp <job jar> <args>}
 * until the job is built, keeping the job's contract: it reads spark-submit's options, then runs
 * the job's arguments ({@code --config}, {@code --date} or {@code --full}, {@code --force}, {@code
 * --workers}) through the product's ETL in this JVM, prints {@code CDR-ETL-RESULT <json>} as its
 * last stdout line and exits 0, or prints {@code cdr-spark: <error>} on stderr and exits 1. Confs
 * steer it: {@code spark.cdr.fake.fail} (fail with that message, writing nothing), {@code
 * spark.cdr.fake.sleep} (milliseconds before it starts), {@code spark.cdr.fake.holdWhile} (a file:
 * it waits while the file exists), {@code spark.cdr.fake.failpoint} (the product's failpoint, e.g.
 * {@code etl.read@50:pause}), {@code spark.cdr.fake.totalsOnly} (a result line without its days).
 */
public final class FakeSparkSubmit {
  /** spark-submit's options that take a value (the rest of those it has are flags). */
  private static final Set<String> WITH_VALUE =
      Set.of(
          "--master",
          "--deploy-mode",
          "--name",
          "--conf",
          "--class",
          "--jars",
          "--packages",
          "--files",
          "--properties-file",
          "--driver-memory",
          "--driver-java-options",
          "--driver-class-path",
          "--executor-memory",
          "--executor-cores",
          "--num-executors",
          "--queue");

  private FakeSparkSubmit() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> conf = new HashMap<>();
    String mainClass = null;
    int i = 0;
    for (; i < args.length && args[i].startsWith("--"); i++) {
      if (WITH_VALUE.contains(args[i])) {
        String v = args[++i];
        if (args[i - 1].equals("--conf")) {
          conf.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
        } else if (args[i - 1].equals("--class")) {
          mainClass = v;
        }
      }
    }
    String jar = args[i++];
    List<String> job = List.of(args).subList(i, args.length);
    System.err.println(
        "fake-spark-submit: "
            + mainClass
            + " from "
            + jar
            + " tagged "
            + conf.get(SparkJob.TAG_CONF));
    if (!SparkJob.MAIN_CLASS.equals(mainClass) || !Files.isRegularFile(Path.of(jar))) {
      fail("no job class " + mainClass + " in " + jar);
    }
    if (conf.containsKey("spark.cdr.fake.failpoint")) {
      System.setProperty("cdr.failpoint", conf.get("spark.cdr.fake.failpoint"));
    }
    if (conf.containsKey("spark.cdr.fake.sleep")) {
      Thread.sleep(Long.parseLong(conf.get("spark.cdr.fake.sleep")));
    }
    if (conf.containsKey("spark.cdr.fake.holdWhile")) {
      Path hold = Path.of(conf.get("spark.cdr.fake.holdWhile"));
      System.out.println("fake: holding while " + hold + " exists");
      System.out.flush();
      while (Files.exists(hold)) {
        Thread.sleep(50);
      }
    }
    if (conf.containsKey("spark.cdr.fake.fail")) {
      System.err.println("26/11/02 09:00:01 INFO SparkContext: Running Spark version 4.1.3");
      System.err.println("26/11/02 09:00:02 ERROR SparkEtlApp: " + conf.get("spark.cdr.fake.fail"));
      fail(conf.get("spark.cdr.fake.fail"));
    }
    Path config = null;
    LocalDate day = null;
    boolean full = false;
    boolean force = false;
    int workers = 2;
    for (int j = 0; j < job.size(); j++) {
      switch (job.get(j)) {
        case "--config" -> config = Path.of(job.get(++j));
        case "--date" -> day = LocalDate.parse(job.get(++j));
        case "--full" -> full = true;
        case "--force" -> force = true;
        case "--workers" -> workers = Integer.parseInt(job.get(++j));
        case "--execution" -> j++;
        default -> fail("unknown argument " + job.get(j));
      }
    }
    if (config == null || (day == null) == !full) {
      fail("--config and one of --date or --full are required");
    }
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (AppContext ctx = new AppContext(config, Map.of(), config.getParent(), quiet, quiet)) {
      EtlSummary s =
          full ? ctx.etl(null).runFull(workers, force) : ctx.etl(null).runDay(day, workers, force);
      com.fasterxml.jackson.databind.node.ObjectNode json = s.toJson();
      if (conf.containsKey("spark.cdr.fake.totalsOnly")) {
        json.remove("days"); // as a job of another version may print it
      }
      System.out.println(SparkSubmission.RESULT_PREFIX + json);
    } catch (RuntimeException e) {
      fail(e.getMessage());
    }
    System.exit(0);
  }

  private static void fail(String message) {
    System.err.println(SparkSubmission.ERROR_PREFIX + message);
    System.exit(1);
  }

  /**
   * Writes a Spark installation whose {@code bin/spark-submit} runs this class on the test's class
   * path, for {@code spark.submit}; returns its folder.
   */
  static Path install(Path dir) throws Exception {
    Path home = dir.resolve("fake-spark");
    Files.createDirectories(home.resolve("bin"));
    List<String> jvm =
        new ArrayList<>(
            List.of(
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path")));
    StringBuilder argFile = new StringBuilder();
    for (String a : jvm) {
      argFile.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
    }
    Path args = Files.writeString(home.resolve("jvm.args"), argFile.toString());
    Path submit = home.resolve("bin/spark-submit");
    // as Spark's launcher starts a client-mode driver: -Xmx from spark.driver.memory, unchecked
    Files.writeString(
        submit,
        "#!/bin/sh\nmem=\nconf=\nfor a in \"$@\"; do\n"
            + "  if [ -n \"$conf\" ]; then case \"$a\" in spark.driver.memory=*) mem=\"-Xmx${a#spark.driver.memory=}\";; esac; fi\n"
            + "  if [ \"$a\" = --conf ]; then conf=1; else conf=; fi\ndone\n"
            + "exec '"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' '@"
            + args
            + "' ${mem:+\"$mem\"} "
            + FakeSparkSubmit.class.getName()
            + " \"$@\"\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }
}
