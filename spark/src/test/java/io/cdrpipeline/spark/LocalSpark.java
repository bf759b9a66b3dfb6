package io.cdrpipeline.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One Spark {@code local[2]} for every test of the module's JVM: Spark takes seconds to start, so
 * it starts once and stops with the JVM (Spark's own shutdown hook).
 */
final class LocalSpark {
  private static SparkSession spark;

  private LocalSpark() {}

  static synchronized SparkSession get() {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("cdr-spark-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "2")
              // the table's timestamps are UTC without a zone; shown as they are
              .config("spark.sql.session.timeZone", "UTC")
              // Iceberg's SQL extensions: its procedures (CALL cdr.system.rewrite_data_files) and
              // row-level DML
              .config(
                  "spark.sql.extensions",
                  "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
              .getOrCreate();
    }
    return spark;
  }
}
