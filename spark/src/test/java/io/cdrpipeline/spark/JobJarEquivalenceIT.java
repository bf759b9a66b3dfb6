package io.cdrpipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.testing.Pipeline;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged job of one Spark line lands exactly what the embedded engine lands: {@code
 * SparkSubmit --master local[2]} of that line, in a JVM of its own on that line's Spark jars alone,
 * runs the job jar on the generated days with bad files and two buckets; rows, columns, quarantine,
 * each day's bookkeeping and the run's totals are the embedded engine's.
 *
 * <p>One test for both lines: module {@code spark} runs it on Spark 4.1 ({@code
 * target/cdr-spark-job-4.1.jar}, {@code target/spark-classpath.txt}), module {@code
 * spark/spark-3.5} on Spark 3.5 (system properties {@code cdr.spark.jobJar}, {@code
 * cdr.spark.classpath} and {@code cdr.spark.line}).
 */
class JobJarEquivalenceIT {
  private static final String LINE = System.getProperty("cdr.spark.line", "4.1");
  private static final Path JOB_JAR =
      Path.of(System.getProperty("cdr.spark.jobJar", "target/cdr-spark-job-4.1.jar"));
  private static final Path CLASSPATH =
      Path.of(System.getProperty("cdr.spark.classpath", "target/spark-classpath.txt"));

  @TempDir Path tmp;

  @Test
  void theJobJarLandsTheEmbeddedEnginesRowsQuarantineAndBookkeeping() throws Exception {
    assertThat(JOB_JAR).as("the job jar (mvn package builds it)").exists();
    SparkDays days = SparkDays.write(tmp.resolve("raw"));
    Pipeline embedded = new Pipeline(tmp.resolve("embedded"));
    EtlSummary e = days.embedded(embedded).runDays(SparkDays.DAYS, 2, false);

    Path dir = Files.createDirectories(tmp.resolve("spark"));
    Path config = dir.resolve("cdr.yaml");
    Files.writeString(
        config,
        "cdrBucket: \""
            + days.cdr.toAbsolutePath()
            + "\"\nadditionalCdrBucket: \""
            + days.additional.toAbsolutePath()
            + "\"\nprocessedBucket: data/processed\nreportsBucket: data/reports\n"
            + "stateDir: data/state\n");
    List<String> out =
        submit(
            dir,
            "--config",
            config.toString(),
            "--date",
            SparkDays.DAYS.stream().map(LocalDate::toString).collect(Collectors.joining(",")),
            "--workers",
            "3",
            "--execution",
            "equivalence-" + LINE);
    JsonNode result = new ObjectMapper().readTree(SparkEtlApp.resultJson(out).orElseThrow());
    assertThat(result.get("daysProcessed").asLong()).isEqualTo(3);
    assertThat(result.get("filesRead").asLong()).isEqualTo(e.filesRead()).isGreaterThan(2700);
    assertThat(result.get("rowsWritten").asLong()).isEqualTo(e.rowsWritten());
    assertThat(result.get("rejected").asLong()).isEqualTo(e.rejected()).isGreaterThan(18);

    Pipeline spark = new Pipeline(dir);
    assertThat(SparkDays.bookkeeping(spark)).hasSize(3).isEqualTo(SparkDays.bookkeeping(embedded));
    assertThat(quarantine(spark))
        .isEqualTo(quarantine(embedded))
        .anyMatch(q -> q.contains("a symbolic link, not followed"))
        .anyMatch(q -> q.contains("not a regular file"))
        .anyMatch(q -> q.contains("file too large"))
        .anyMatch(q -> q.contains("empty file"))
        .anyMatch(q -> q.contains("is beyond the 100 unknown fields a day may add"));
    assertThat(spark.table().iceberg().refresh().columns())
        .isEqualTo(embedded.table().iceberg().refresh().columns())
        .containsKeys("carrier", "carrier_text", "mix", "big", "common");
    List<String> mine =
        SparkReadsProcessedTableTest.canonical(spark.sql("SELECT * FROM processed_cdrs"));
    List<String> theirs =
        SparkReadsProcessedTableTest.canonical(embedded.sql("SELECT * FROM processed_cdrs"));
    assertThat(mine.stream().sorted().toList())
        .hasSize((int) e.rowsWritten())
        .isEqualTo(theirs.stream().sorted().toList());
    // the rows in the files in the rules' order, as the embedded engine writes them
    for (LocalDate d : SparkDays.DAYS) {
      assertThat(keysInFileOrder(spark, d)).isEqualTo(keysInFileOrder(embedded, d)).isNotEmpty();
    }
    // the call found in both buckets once, from the CDR bucket
    assertThat(spark.count("SELECT count(*) - count(DISTINCT callid) FROM processed_cdrs"))
        .isZero();
    assertThat(spark.count("SELECT count(*) FROM processed_cdrs WHERE source_key LIKE '%-copy'"))
        .isZero();
  }

  /**
   * What the cluster provides is not in the jar: no Spark, Scala or Hadoop class (the {@code
   * org.apache.spark} classes in it are Iceberg's own Spark extensions), and every class runs on
   * Java 17 (Glue 5.0's).
   */
  @Test
  void theJobJarHoldsNoSparkScalaOrHadoopAndRunsOnJava17() throws Exception {
    assertThat(JOB_JAR).as("the job jar (mvn package builds it)").exists();
    List<String> above17 = new ArrayList<>();
    List<String> provided = new ArrayList<>();
    int classes = 0;
    try (ZipFile jar = new ZipFile(JOB_JAR.toFile())) {
      for (ZipEntry e : Collections.list(jar.entries())) {
        String name = e.getName();
        if (!name.endsWith(".class") || name.startsWith("META-INF/versions/")) {
          continue;
        }
        classes++;
        if (name.startsWith("scala/")
            || name.startsWith("org/apache/hadoop/")
            || (name.startsWith("org/apache/spark/")
                && !name.startsWith("org/apache/spark/sql/catalyst/")
                && !name.startsWith("org/apache/spark/sql/execution/")
                && !name.startsWith("org/apache/spark/sql/connector/iceberg/")
                && !name.startsWith("org/apache/spark/sql/stats/"))) {
          provided.add(name);
        }
        try (InputStream in = jar.getInputStream(e)) {
          byte[] head = in.readNBytes(8);
          int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
          if (major > 61) {
            above17.add(name + " (class file " + major + ")");
          }
        }
      }
      assertThat(jar.getEntry("io/cdrpipeline/spark/SparkEtlApp.class")).isNotNull();
      assertThat(jar.getEntry("org/apache/iceberg/spark/SparkCatalog.class")).isNotNull();
      assertThat(jar.getEntry("org/apache/spark/SparkContext.class")).isNull();
      assertThat(jar.getEntry("org/apache/spark/sql/Dataset.class")).isNull();
    }
    assertThat(classes).isGreaterThan(10_000);
    assertThat(provided).isEmpty();
    assertThat(above17).isEmpty();
  }

  /** The job by the line's {@code SparkSubmit}; its stdout, once it ended with exit code 0. */
  private List<String> submit(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("-Xmx1g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    // the module options Spark's own launcher gives a driver on Java 17
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
      cmd.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
    }
    cmd.add("-Djdk.reflect.useDirectMethodHandle=false");
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
            JOB_JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Path out = tmp.resolve("stdout.txt");
    Path err = tmp.resolve("stderr.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process proc = pb.start();
    if (!proc.waitFor(5, TimeUnit.MINUTES)) {
      proc.destroyForcibly().waitFor();
      throw new AssertionError("the job did not end in 5 minutes");
    }
    List<String> stdout = Files.readAllLines(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(proc.exitValue()).as("exit code; stderr:\n%s", stderr).isZero();
    // the Spark line that ran it is the one under test
    assertThat(stderr).contains("Running Spark version " + LINE + ".");
    return stdout;
  }

  private static List<String> keysInFileOrder(Pipeline p, LocalDate d) {
    return p
        .sql(
            "SELECT source_key FROM processed_cdrs WHERE year = "
                + d.getYear()
                + " AND month = "
                + d.getMonthValue()
                + " AND day = "
                + d.getDayOfMonth())
        .rows()
        .stream()
        .map(r -> (String) r.get(0))
        .toList();
  }

  private static List<String> quarantine(Pipeline p) {
    return p.catalog.quarantine(Optional.empty()).stream()
        .map((QuarantinedFile q) -> q.day() + " " + q.sourceKey() + " " + q.reason())
        .sorted()
        .toList();
  }
}
