package io.cdrpipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second engine that writes row-level deletes into the table (Spark's merge-on-read DELETE):
 * {@code cdr query} refuses the table rather than read deleted rows, and either remedy its message
 * names gives a table it reads again.
 */
class SparkRowLevelDeleteTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 27);

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    LocalSpark.get();
  }

  @Test
  void cdrQueryRefusesDeleteFilesUntilTheyAreRewrittenOrTheDayIsRerun() throws Exception {
    Pipeline p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(DAY, 200, 2, 3, 2, null);
    p.etl().runDay(DAY, 2);
    SparkSession spark = new SparkCatalogConfig(p.database.url(), p.processed.root()).session();
    String table = SparkCatalogConfig.table(p.config.database());
    String callid = (String) p.sql("SELECT min(callid) FROM processed_cdrs").rows().get(0).get(0);

    spark.sql(
        "ALTER TABLE " + table + " SET TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')");
    spark.sql("DELETE FROM " + table + " WHERE callid = '" + callid + "'");
    assertThat(count(spark, "SELECT count(*) FROM " + table + ".delete_files")).isPositive();
    assertThat(count(spark, "SELECT count(*) FROM " + table)).isEqualTo(199);

    assertThatThrownBy(() -> p.sql("SELECT count(*) FROM processed_cdrs"))
        .hasMessageContaining("row-level deletes")
        .hasMessageContaining("rewrite_data_files");

    // the first remedy: rewrite the data files with the deletes applied
    spark.sql(
        "CALL cdr.system.rewrite_data_files(table => '"
            + p.config.database()
            + ".processed_cdrs', "
            + "options => map('delete-file-threshold', '1'))");
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(199);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE callid = '" + callid + "'"))
        .isZero();
    assertThat(count(spark, "SELECT count(*) FROM " + table)).isEqualTo(199);

    // the second: the day's next run replaces it from its raw files, deletes and all
    spark.sql("DELETE FROM " + table + " WHERE callid = '" + callid + "' OR hour = '13'");
    assertThatThrownBy(() -> p.sql("SELECT count(*) FROM processed_cdrs"))
        .hasMessageContaining("row-level deletes");
    p.etl().runDay(DAY, 2);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(200);
    assertThat(count(spark, "SELECT count(*) FROM " + table)).isEqualTo(200);
  }

  private static long count(SparkSession spark, String sql) {
    return spark.sql(sql).collectAsList().get(0).getLong(0);
  }
}
