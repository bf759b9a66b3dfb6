package io.cdrpipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged job as spark-submit runs it: {@code SparkSubmit --master local[2] --class
 * io.cdrpipeline.spark.SparkEtlApp target/cdr-spark-job.jar ...} in a JVM of its own, on the class
 * path of {@code target/spark-classpath.txt} and nothing else.
 */
class SparkEtlAppIT {
  private static final LocalDate D1 = LocalDate.of(2026, 3, 30);
  private static final LocalDate D2 = LocalDate.of(2026, 3, 31);
  private static final Path JOB_JAR = Path.of("target/cdr-spark-job.jar");
  private static final Path CLASSPATH = Path.of("target/spark-classpath.txt");

  @TempDir Path tmp;

  record Run(int exit, List<String> out, List<String> err) {}

  @Test
  void theJobLandsTheDaysPrintsTheResultAndAFailedRunChangesNothing() throws Exception {
    Path config = deployment();
    Run ok =
        submit(config, List.of(), "--date", D1 + "," + D2, "--workers", "3", "--execution", "it-1");
    assertThat(ok.exit()).as("stderr: %s", ok.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(SparkEtlApp.resultJson(ok.out()).orElseThrow());
    assertThat(ok.out().get(ok.out().size() - 1)).startsWith("CDR-ETL-RESULT {");
    assertThat(result.get("daysProcessed").asLong()).isEqualTo(2);
    assertThat(result.get("daysSkipped").asLong()).isZero();
    assertThat(result.get("rowsWritten").asLong()).isEqualTo(500 + 400);
    assertThat(result.get("rejected").asLong()).isEqualTo(8);
    assertThat(result.get("filesRead").asLong()).isEqualTo(908);
    assertThat(result.has("runId") && result.has("seconds")).isTrue();

    Pipeline p = new Pipeline(tmp);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(900);
    assertThat(p.catalog.processedDay(D1).orElseThrow().rowsWritten()).isEqualTo(500);
    assertThat(p.catalog.quarantine(Optional.empty())).hasSize(8);
    long snapshot = p.table().iceberg().refresh().currentSnapshotId().orElseThrow();
    var before = p.catalog.processedDays();

    // a task that fails on its 300th file: the job fails with one line, the table and the days
    // unchanged
    Run failed =
        submit(config, List.of("-Dcdr.failpoint=etl.read@300:fail"), "--date", D1.toString());
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.err().stream().filter(l -> l.startsWith("cdr-spark: ")).toList())
        .as("stderr: %s", failed.err())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith(
            "cdr-spark: ETL of " + D1 + " failed: a Spark task failed: failpoint etl.read reached")
        .endsWith("(the previous data of the day is intact)");
    assertThat(failed.out()).noneMatch(l -> l.startsWith("CDR-ETL-RESULT"));
    // a driver killed while its tasks read: likewise
    Run killed =
        submit(
            config,
            List.of("-Dcdr.failpoint=etl.read@300"),
            "--from",
            D1.toString(),
            "--to",
            D2.toString(),
            "--force");
    assertThat(killed.exit()).isEqualTo(137);
    assertThat(p.table().iceberg().refresh().currentSnapshotId()).contains(snapshot);
    assertThat(p.catalog.processedDays()).isEqualTo(before);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(900);

    // a range of unchanged days is skipped; --force redoes them, replacing, never duplicating
    Run skipped =
        submit(
            config,
            List.of(),
            "--from",
            D1.minusDays(3).toString(),
            "--to",
            D2.plusDays(3).toString());
    assertThat(skipped.exit()).as("stderr: %s", skipped.err()).isZero();
    JsonNode s = new ObjectMapper().readTree(SparkEtlApp.resultJson(skipped.out()).orElseThrow());
    assertThat(s.get("daysSkipped").asLong()).isEqualTo(2);
    assertThat(s.get("daysProcessed").asLong()).isZero();
    Run forced =
        submit(config, List.of(), "--from", D1.toString(), "--to", D2.toString(), "--force");
    assertThat(forced.exit()).as("stderr: %s", forced.err()).isZero();
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(900);
    assertThat(p.table().iceberg().refresh().currentSnapshotId())
        .isNotEqualTo(Optional.of(snapshot));

    // the day's raw folders went away: the job keeps the day as it is, by the rule of every engine
    long now = p.table().iceberg().refresh().currentSnapshotId().orElseThrow();
    try (var vcs =
        Files.list(tmp.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json"))) {
      for (Path vc : vcs.toList()) {
        Path folder = vc.resolve(D1.toString().replace('-', '/'));
        if (Files.isDirectory(folder)) {
          Files.move(
              folder, Files.createDirectories(tmp.resolve("moved")).resolve(vc.getFileName()));
        }
      }
    }
    Run gone = submit(config, List.of(), "--date", D1.toString(), "--force");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err().stream().filter(l -> l.startsWith("cdr-spark: ")).toList())
        .as("stderr: %s", gone.err())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("cdr-spark: ETL of " + D1 + " refused: no raw CDR files for " + D1 + " in ")
        .contains("nothing processed, nothing recorded; the day keeps its 500 rows");
    assertThat(p.table().iceberg().refresh().currentSnapshotId()).contains(now);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(900);
  }

  /**
   * A cluster needs the catalog on PostgreSQL (a SQLite file lives on one machine): the job on it.
   */
  @Test
  void theJobRunsOnAPostgresqlCatalog() throws Exception {
    String url = io.cdrpipeline.testing.Postgres.freshDatabase();
    Path config = deployment();
    Files.writeString(config, Files.readString(config) + "catalogUrl: \"" + url + "\"\n");
    Run ok = submit(config, List.of(), "--date", D2.toString());
    assertThat(ok.exit()).as("stderr: %s", ok.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(SparkEtlApp.resultJson(ok.out()).orElseThrow());
    assertThat(result.get("rowsWritten").asLong()).isEqualTo(400);
    Pipeline p = new Pipeline(tmp, null, url);
    assertThat(p.catalog.processedDay(D2).orElseThrow().rowsWritten()).isEqualTo(400);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(400);
  }

  /**
   * The job's own handling of its arguments and config, which ends before Spark starts: run here as
   * spark-submit runs its main class, with stdout and stderr of its own.
   */
  @Test
  void mistakesGiveOneLineAndAnExitCodeNotAStackTrace() throws Exception {
    Path config = deployment();
    Run badDate = runHere("--config", config.toString(), "--date", "2026-02-30");
    assertThat(badDate.exit()).isEqualTo(2);
    assertThat(badDate.err())
        .containsExactly(
            "cdr-spark: --date: 2026-02-30 does not exist: February 2026 has 28 days (--help for usage)");
    Run both = runHere("--config", config.toString(), "--full", "--date", D1.toString());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err())
        .containsExactly(
            "cdr-spark: give exactly one of --date, --from/--to, --full (--help for usage)");
    Run missing =
        runHere("--config", tmp.resolve("nowhere.yaml").toString(), "--date", D1.toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("cdr-spark: ")
        .contains("nowhere.yaml");
    assertThat(String.join("\n", missing.err())).doesNotContain("\tat ");
    assertThat(badDate.out()).isEmpty();
    assertThat(both.out()).isEmpty();
    assertThat(missing.out()).isEmpty();
  }

  /** Two generated days under {@code tmp/data} and a config file naming them. */
  private Path deployment() throws IOException {
    Path data = tmp.resolve("data");
    CdrGenerator gen = new CdrGenerator(new LocalStore(data.resolve("cdr-bucket")));
    gen.generate(D1, 500, 2, 5, 4, null);
    gen.generate(D2, 400, 2, 6, 4, null);
    Path config = tmp.resolve("cdr.yaml");
    Files.writeString(
        config,
        "cdrBucket: data/cdr-bucket\nprocessedBucket: data/processed\nreportsBucket: data/reports\n"
            + "stateDir: data/state\n");
    return config;
  }

  /** The job's {@code run}, as its {@code main} calls it, in this JVM. */
  private static Run runHere(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        SparkEtlApp.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit,
        out.toString(StandardCharsets.UTF_8).lines().toList(),
        err.toString(StandardCharsets.UTF_8).lines().toList());
  }

  private Run submit(Path config, List<String> jvmOptions, String... args) throws Exception {
    assertThat(JOB_JAR).as("the job jar (mvn package builds it)").exists();
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx1g");
    // a driver of seconds: C1 alone and the serial collector halve what it spends starting and
    // warming up
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    cmd.addAll(
        List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false"));
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(Files.readString(CLASSPATH).trim());
    cmd.addAll(
        List.of(
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--class",
            SparkEtlApp.class.getName(),
            JOB_JAR.toAbsolutePath().toString(),
            "--config",
            config.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Path out = tmp.resolve("stdout.txt");
    Path err = tmp.resolve("stderr.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process proc = pb.start();
    if (!proc.waitFor(5, TimeUnit.MINUTES)) {
      proc.destroyForcibly();
      throw new AssertionError("the job did not end in 5 minutes");
    }
    return new Run(
        proc.exitValue(),
        Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readAllLines(err, StandardCharsets.UTF_8));
  }
}
