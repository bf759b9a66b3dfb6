package io.cdrpipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.etl.EtlException;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ETL on Spark ({@code local[2]}) lands exactly what the embedded engine lands from the same
 * buckets: every row with every column, the same quarantine with the same reasons, the same
 * bookkeeping of each day; a re-run replaces, a failed run changes nothing.
 */
class SparkEngineTest {
  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    LocalSpark.get();
  }

  @Test
  void sparkLandsTheSameRowsQuarantineAndBookkeepingAsTheEmbeddedEngine() throws Exception {
    SparkDays days = SparkDays.write(tmp.resolve("raw"));
    Pipeline embedded = new Pipeline(tmp.resolve("embedded"));
    Pipeline spark = new Pipeline(tmp.resolve("spark"));
    EtlSummary e = days.embedded(embedded).runDays(SparkDays.DAYS, 2, false);
    EtlSummary s = days.spark(spark, LocalSpark.get()).runDays(SparkDays.DAYS, 3, false);

    assertThat(s.filesRead()).isEqualTo(e.filesRead()).isGreaterThan(2700);
    assertThat(s.rowsWritten()).isEqualTo(e.rowsWritten());
    assertThat(s.rejected()).isEqualTo(e.rejected()).isGreaterThan(18);
    assertThat(s.bytesRead()).isEqualTo(e.bytesRead());
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
        .containsKeys(
            "carrier",
            "carrier_text",
            "flag_text",
            "mix",
            "nested",
            "big",
            "a_b",
            "a_b_2",
            "common");
    QueryResult mine = spark.sql("SELECT * FROM processed_cdrs");
    QueryResult theirs = embedded.sql("SELECT * FROM processed_cdrs");
    assertThat(mine.columns()).isEqualTo(theirs.columns());
    assertThat(sorted(SparkReadsProcessedTableTest.canonical(mine)))
        .hasSize((int) e.rowsWritten())
        .isEqualTo(sorted(SparkReadsProcessedTableTest.canonical(theirs)));
    // the rules applied, not only equal on both sides: a call in both buckets once, values placed
    // by type
    assertThat(spark.count("SELECT count(*) - count(DISTINCT callid) FROM processed_cdrs"))
        .isZero();
    assertThat(spark.count("SELECT count(*) FROM processed_cdrs WHERE source_key LIKE '%-copy'"))
        .isZero();
    assertThat(
            spark
                .sql(
                    "SELECT callid, carrier, carrier_text, mix, big FROM processed_cdrs WHERE callid IN ('x2', 'x3', 'x4', 'x5') "
                        + "ORDER BY callid")
                .rows())
        .containsExactly(
            Arrays.asList("x2", null, "att", "1e+16", null),
            Arrays.asList("x3", null, "1.5", "true", null),
            Arrays.asList("x4", null, null, "text", "123456789012345678901234"),
            Arrays.asList("x5", null, null, "7", "1e400"));
    // the file is in the rules' order, as the embedded engine writes it
    for (LocalDate d : SparkDays.DAYS) {
      assertThat(keysInFileOrder(spark, d)).isEqualTo(keysInFileOrder(embedded, d)).isNotEmpty();
    }

    // Spark's Iceberg reader maps the columns of the files Spark wrote by their field ids
    SparkSession session =
        new SparkCatalogConfig(spark.database.url(), spark.processed.root()).session();
    List<String> read =
        sorted(
            SparkReadsProcessedTableTest.canonical(
                session
                    .sql(
                        "SELECT "
                            + String.join(", ", mine.columns())
                            + " FROM "
                            + SparkCatalogConfig.table(spark.config.database()))
                    .collectAsList()));
    assertThat(read).isEqualTo(sorted(SparkReadsProcessedTableTest.canonical(mine)));

    // a re-run replaces every day: nothing twice, the same bookkeeping
    EtlSummary again = days.spark(spark, LocalSpark.get()).runDays(SparkDays.DAYS, 2, false);
    assertThat(again.daysProcessed()).isEqualTo(3);
    assertThat(spark.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(e.rowsWritten());
    assertThat(SparkDays.bookkeeping(spark)).isEqualTo(SparkDays.bookkeeping(embedded));
    // and one whose raw files are unchanged is skipped when asked
    assertThat(days.spark(spark, LocalSpark.get()).runDays(SparkDays.DAYS, 2, true).daysSkipped())
        .isEqualTo(3);
  }

  @Test
  void daysTooLargeForOneTaskGoThroughSparkSqlAndLandTheSameRowsInTheSameOrder() throws Exception {
    SparkDays days = SparkDays.write(tmp.resolve("raw"));
    Pipeline direct = new Pipeline(tmp.resolve("direct"));
    Pipeline sql = new Pipeline(tmp.resolve("sql"));
    StoreSpec directStore = StoreSpec.of(direct.processed.location(), S3Settings.defaults());
    StoreSpec sqlStore = StoreSpec.of(sql.processed.location(), S3Settings.defaults());
    EtlSummary d =
        days.spark(direct, LocalSpark.get(), directStore).runDays(SparkDays.DAYS, 3, false);
    // no day is small enough for one task: every one is de-duplicated, sorted and spread by Spark
    // SQL
    EtlSummary s = days.spark(sql, LocalSpark.get(), sqlStore, 0).runDays(SparkDays.DAYS, 3, false);

    assertThat(s.rowsWritten()).isEqualTo(d.rowsWritten()).isGreaterThan(2400);
    assertThat(s.rejected()).isEqualTo(d.rejected());
    assertThat(SparkDays.bookkeeping(sql)).isEqualTo(SparkDays.bookkeeping(direct));
    assertThat(quarantine(sql)).isEqualTo(quarantine(direct));
    QueryResult mine = sql.sql("SELECT * FROM processed_cdrs");
    QueryResult theirs = direct.sql("SELECT * FROM processed_cdrs");
    assertThat(mine.columns()).isEqualTo(theirs.columns());
    assertThat(sorted(SparkReadsProcessedTableTest.canonical(mine)))
        .isEqualTo(sorted(SparkReadsProcessedTableTest.canonical(theirs)));
    assertThat(sql.count("SELECT count(*) - count(DISTINCT callid) FROM processed_cdrs")).isZero();
    for (LocalDate day : SparkDays.DAYS) {
      assertThat(keysInFileOrder(sql, day)).isEqualTo(keysInFileOrder(direct, day)).isNotEmpty();
    }
  }

  @Test
  void textSortsInTheOrderOfItsUtf8BytesAsSparkSqlSortsIt() {
    // U+FF5E (3 bytes in UTF-8) before U+1F600 (4 bytes), though its UTF-16 unit is the larger
    assertThat(WriteDay.compareText("\uFF5E", "\uD83D\uDE00")).isNegative();
    assertThat("\uFF5E".compareTo("\uD83D\uDE00")).isPositive();
    assertThat(WriteDay.compareText("ab", "abc")).isNegative();
    assertThat(WriteDay.compareText("b", "abc")).isPositive();
    assertThat(WriteDay.compareText("abc", "abc")).isZero();
    List<String> keys = List.of("b", "\uD83D\uDE00", "a", "\uFF5E", "ab", "\u00E9");
    assertThat(keys.stream().sorted(WriteDay::compareText).toList())
        .isEqualTo(
            keys.stream()
                .sorted(
                    java.util.Comparator.comparing(
                        (String k) -> k.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        java.util.Arrays::compareUnsigned))
                .toList());
  }

  @Test
  void aRunWhoseTasksFailLeavesTheTableAndTheBookkeepingAsTheyWere() throws Exception {
    SparkDays days = SparkDays.write(tmp.resolve("raw"));
    Pipeline p = new Pipeline(tmp.resolve("spark"));
    days.spark(p, LocalSpark.get()).runDays(List.of(SparkDays.DAY1), 2, false);
    long snapshot = p.table().iceberg().refresh().currentSnapshotId().orElseThrow();
    var before = SparkDays.bookkeeping(p);
    List<String> rows =
        sorted(SparkReadsProcessedTableTest.canonical(p.sql("SELECT * FROM processed_cdrs")));

    // the tasks write through a warehouse that is a file, not a folder: every write task fails
    Path notAFolder = Files.writeString(tmp.resolve("not-a-folder"), "x");
    StoreSpec broken = StoreSpec.of(new StoreLocation.Local(notAFolder), S3Settings.defaults());
    assertThatThrownBy(
            () ->
                days.spark(p, LocalSpark.get(), broken)
                    .runDays(List.of(SparkDays.DAY1, SparkDays.DAY2), 2, false))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("ETL of " + SparkDays.DAY1 + " failed: a Spark task failed: ")
        .hasMessageContaining("is a file, not a folder")
        .hasMessageEndingWith("(the previous data of the day is intact)");

    assertThat(p.table().iceberg().refresh().currentSnapshotId()).contains(snapshot);
    assertThat(SparkDays.bookkeeping(p)).isEqualTo(before);
    assertThat(
            sorted(SparkReadsProcessedTableTest.canonical(p.sql("SELECT * FROM processed_cdrs"))))
        .isEqualTo(rows);
    assertThat(p.catalog.quarantine(Optional.of(SparkDays.DAY2))).isEmpty();
    // the next good run lands the day
    assertThat(
            days.spark(p, LocalSpark.get())
                .runDays(List.of(SparkDays.DAY2), 2, false)
                .daysProcessed())
        .isEqualTo(1);
    assertThat(SparkDays.bookkeeping(p)).containsKeys(SparkDays.DAY1, SparkDays.DAY2);
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

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }
}
