package io.cdrpipeline.spark;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark settings that read {@code processed_cdrs} through Iceberg's SparkCatalog on the
 * product's own JDBC catalog, as docs/spark.md gives them: catalog {@code cdr}, the catalog
 * database's JDBC URL, the warehouse folder.
 */
record SparkCatalogConfig(String catalogUrl, Path warehouse) {
  /** The catalog's name in Spark, the one the product gives Iceberg's catalog. */
  static final String CATALOG = "cdr";

  SparkCatalogConfig {
    Objects.requireNonNull(catalogUrl, "catalogUrl is null");
    Objects.requireNonNull(warehouse, "warehouse is null");
  }

  /** The {@code spark.sql.catalog.cdr.*} settings. */
  Map<String, String> properties() {
    String p = "spark.sql.catalog." + CATALOG;
    Map<String, String> m = new LinkedHashMap<>();
    m.put(p, "org.apache.iceberg.spark.SparkCatalog");
    m.put(p + ".type", "jdbc");
    m.put(p + ".uri", catalogUrl);
    // the product made Iceberg's tables in the V1 layout; without it Iceberg assumes V0
    m.put(p + ".jdbc.schema-version", "V1");
    m.put(p + ".warehouse", "file:" + warehouse.toAbsolutePath());
    // every query loads the table's current metadata from the catalog, so a commit of the ETL
    // is seen by the next query (the default caches a loaded table for 30 s)
    m.put(p + ".cache-enabled", "false");
    return m;
  }

  /**
   * A session of the shared local Spark with this catalog: sessions share the SparkContext but each
   * has its own catalogs, so every test gets a {@code cdr} catalog of its own deployment.
   */
  SparkSession session() {
    SparkSession s = LocalSpark.get().newSession();
    properties().forEach((k, v) -> s.conf().set(k, v));
    return s;
  }

  /** The table's name in Spark SQL: catalog, namespace (the config's {@code database}), table. */
  static String table(String database) {
    return CATALOG + "." + database + ".processed_cdrs";
  }
}
