package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.app.spark.SparkLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine: spark} with {@code spark.submit} naming a Spark 3.5 installation: the product
 * submits the job's 3.5 jar ({@code spark/spark-3.5/target/cdr-spark-job-3.5.jar}) through that
 * installation's spark-submit and SparkLauncher follows it, as it follows the product's own Spark
 * 4.1. The installation is Spark 3.5.8 as its distribution lays it out ({@code jars/} holding the
 * jars of the build's {@code spark-classpath-3.5.txt}, {@code bin/spark-submit} running Spark's
 * submit class on them).
 */
@Tag("cluster")
class SparkLinesEndToEndTest {
  @TempDir Path dir;

  static Path root;

  @BeforeAll
  static void theJobIsBuilt() {
    root = SparkJob.buildRoot().orElseThrow();
    boolean built =
        Files.isRegularFile(SparkLine.SPARK_3_5.jar(root)) && Files.isRegularFile(classpath35());
    String why =
        "the Spark 3.5 job is not built: mvn -B -DskipTests -pl spark/spark-3.5 -am package"
            + " (mvn verify builds it first)";
    if (!built && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(why);
    }
    Assumptions.assumeTrue(built, why);
  }

  static Path classpath35() {
    return root.resolve("spark/spark-3.5/target/spark-classpath-3.5.txt");
  }

  /** Spark 3.5.8 laid out as a distribution, from the build's jars. */
  Path installation() throws Exception {
    Path home = dir.resolve("spark-3.5.8");
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (String jar : Files.readString(classpath35()).strip().split(":")) {
      Path p = Path.of(jar);
      Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
    }
    Path submit = Files.createDirectories(home.resolve("bin")).resolve("spark-submit");
    StringBuilder opens = new StringBuilder();
    for (String pkg :
        List.of(
            "java.lang",
            "java.lang.invoke",
            "java.io",
            "java.net",
            "java.nio",
            "java.util",
            "java.util.concurrent",
            "sun.nio.ch",
            "sun.nio.cs",
            "sun.util.calendar")) {
      opens.append(" --add-opens=java.base/").append(pkg).append("=ALL-UNNAMED");
    }
    Files.writeString(
        submit,
        "#!/bin/sh\nhome=\"$(cd \"$(dirname \"$0\")/..\" && pwd)\"\nexec '"
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
            + opens
            + " -cp \"$home/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  @Test
  void aSpark35InstallationRunsThe35JarAndLandsWhatTheEmbeddedEngineDoes() throws Exception {
    Path home = installation();
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(work.resolve("cdr.yaml"), "engine: spark\nspark:\n  submit: " + home + "\n");
    Path embedded = Files.createDirectories(dir.resolve("embedded"));
    for (Path where : List.of(work, embedded)) {
      assertThat(
              SparkCli.cdrIn(
                      where,
                      "generate",
                      "--date",
                      "2026-11-02",
                      "--calls",
                      "300",
                      "--malformed",
                      "1",
                      "--seed",
                      "35")
                  .code())
          .isZero();
    }
    CliRun spark = SparkCli.cdrIn(work, "etl", "--date", "2026-11-02");
    assertThat(spark.code()).as(spark.err()).isZero();
    assertThat(spark.err())
        .containsPattern("spark: application local-\\d+ RUNNING")
        .containsPattern("spark: application local-\\d+ FINISHED");
    CliRun local = SparkCli.cdrIn(embedded, "etl", "--date", "2026-11-02");
    assertThat(SparkCli.withoutTimes(spark.out())).isEqualTo(SparkCli.withoutTimes(local.out()));
    String seed =
        "SELECT npanxx, count(*) AS n, sum(duration) AS d FROM processed_cdrs GROUP BY npanxx ORDER BY npanxx";
    assertThat(SparkCli.cdrIn(work, "query", "--format", "csv", seed).out())
        .isEqualTo(SparkCli.cdrIn(embedded, "query", "--format", "csv", seed).out())
        .contains("\n");

    // the driver was Spark 3.5's, with the 3.5 jar
    Path driverErr;
    try (Stream<Path> logs = Files.list(work.resolve("data/state/spark"))) {
      driverErr =
          logs.filter(p -> p.getFileName().toString().startsWith("etl-"))
              .map(p -> p.resolve("driver.err"))
              .findFirst()
              .orElseThrow();
    }
    assertThat(Files.readString(driverErr))
        .contains("Running Spark version 3.5.8")
        .contains(SparkLine.SPARK_3_5.jar(root).toString());
  }
}
