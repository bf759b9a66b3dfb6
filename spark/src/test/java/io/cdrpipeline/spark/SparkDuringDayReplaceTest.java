package io.cdrpipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.testing.EtlChild;
import io.cdrpipeline.testing.Pipeline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the ETL replaces a day, and after a run that dies before its commit, Spark sees exactly the
 * old day; after the next run, exactly the new one. A reader of the data folders instead sees every
 * file ever written there: the table, not the folder, is the contract.
 */
class SparkDuringDayReplaceTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  static final LocalDate OTHER_DAY = LocalDate.of(2026, 11, 28);

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    LocalSpark.get();
  }

  @Test
  void sparkSeesTheOldDayUntilTheReplacingRunCommitsAndNeverBoth() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY, 300, 2, 1, 4, null);
    gen.generate(OTHER_DAY, 150, 2, 5, 2, null);
    p.etl().runDay(DAY, 2);
    p.etl().runDay(OTHER_DAY, 2);
    SparkSession spark = new SparkCatalogConfig(p.database.url(), p.processed.root()).session();
    String table = SparkCatalogConfig.table(p.config.database());
    assertDay(spark, table, DAY, 300);
    assertDay(spark, table, OTHER_DAY, 150);
    assertThat(folderCount(p, DAY)).isEqualTo(300);

    gen.generate(DAY, 200, 2, 2, 0, null); // late files: the next run of the day takes them
    Process child = EtlChild.start(tmp, DAY, 2, "etl.before-commit:pause");
    try {
      awaitLine(child, "failpoint etl.before-commit paused", Duration.ofSeconds(120));

      // the replacing run has written its 500-row file into the day's folder and not committed
      assertDay(spark, table, DAY, 300);
      assertDay(spark, table, OTHER_DAY, 150);
      assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 27")).isEqualTo(300);
      // what the Hive-style readers of the old layout saw: the day twice (old file + new file)
      assertThat(folderCount(p, DAY)).as("a reader of the folder").isEqualTo(300 + 500);

      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }

    // the dead run's file stays in the folder, unreferenced, until table maintenance
    assertDay(spark, table, DAY, 300);
    assertDay(spark, table, OTHER_DAY, 150);
    assertThat(folderCount(p, DAY)).as("a reader of the folder").isEqualTo(300 + 500);

    p.etl().runDay(DAY, 2);
    assertDay(spark, table, DAY, 500);
    assertDay(spark, table, OTHER_DAY, 150);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 27")).isEqualTo(500);
    // the replaced file is kept for queries planned on the old snapshot, so the folder holds
    // the old day, the dead run's and the new one
    assertThat(folderCount(p, DAY)).as("a reader of the folder").isEqualTo(300 + 500 + 500);

    // once maintenance has expired the old snapshot and removed the orphan, folder and table agree
    p.table().iceberg().maintain(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2)));
    assertThat(folderCount(p, DAY)).isEqualTo(500);
    assertDay(spark, table, DAY, 500);
  }

  /** The day through Spark, loaded afresh from the catalog: exactly n rows, each call once. */
  private static void assertDay(SparkSession spark, String table, LocalDate day, long n) {
    Row r =
        spark
            .sql(
                String.format(
                    "SELECT count(*), count(DISTINCT callid), count(DISTINCT source_key) FROM %s "
                        + "WHERE year = %d AND month = %d AND day = %d",
                    table, day.getYear(), day.getMonthValue(), day.getDayOfMonth()))
            .collectAsList()
            .get(0);
    assertThat(r.getLong(0)).as("rows Spark reads for %s", day).isEqualTo(n);
    assertThat(r.getLong(1)).as("distinct calls Spark reads for %s", day).isEqualTo(n);
    assertThat(r.getLong(2)).as("distinct raw files Spark reads for %s", day).isEqualTo(n);
  }

  /**
   * What a reader of the data folders counts for the day: DuckDB over every Parquet file under
   * {@code processed_cdrs/data}, as Athena, Trino or Spark over a Hive-style folder table would.
   */
  private static long folderCount(Pipeline p, LocalDate day) throws Exception {
    Path data = p.processed.root().resolve("processed_cdrs/data");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                String.format(
                    "SELECT count(*) FROM read_parquet('%s/*/*/*/*.parquet', "
                        + "hive_partitioning = true) WHERE year = %d AND month = %d AND day = %d",
                    data, day.getYear(), day.getMonthValue(), day.getDayOfMonth()))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Reads the child's output until the line, failing if it ends or the time runs out first. */
  private static void awaitLine(Process child, String expected, Duration timeout) throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the child was killed
              }
              lines.add("<end of output>");
            },
            "etl-child-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder seen = new StringBuilder();
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(line)
          .as("the child's output so far:%n%s", seen)
          .isNotNull()
          .isNotEqualTo("<end of output>");
      if (line.equals(expected)) {
        return;
      }
      assertThat(line).as("the child finished instead of pausing").isNotEqualTo("done");
      seen.append(line).append('\n');
    }
  }
}
