package io.cdrpipeline.table;

import io.cdrpipeline.store.StoreLocation;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the processed table's Iceberg metadata lives: the catalog kind, the warehouse (default: the
 * processed bucket), properties passed to Iceberg's catalog as they are, and how long replaced
 * snapshots (and the files only they reference) are kept.
 */
public record TableSettings(
    Kind catalog,
    Optional<StoreLocation> warehouse,
    Map<String, String> properties,
    Duration snapshotRetention) {

  /** The catalogs the table can be kept in. */
  public enum Kind {
    /** Iceberg's JdbcCatalog in the product's catalog database (SQLite or PostgreSQL). */
    JDBC,
    /** An Iceberg REST catalog ({@code uri}, {@code credential}, ... in the properties). */
    REST,
    /** The AWS Glue Data Catalog, through iceberg-aws. */
    GLUE
  }

  /** JDBC in the catalog database, the processed bucket as warehouse, one day of snapshots. */
  public static final TableSettings DEFAULTS =
      new TableSettings(Kind.JDBC, Optional.empty(), Map.of(), Duration.ofDays(1));

  public TableSettings {
    Objects.requireNonNull(catalog, "catalog is null");
    Objects.requireNonNull(warehouse, "warehouse is null");
    properties = Map.copyOf(Objects.requireNonNull(properties, "properties is null"));
    Objects.requireNonNull(snapshotRetention, "snapshotRetention is null");
    if (snapshotRetention.isNegative()) {
      throw new IllegalArgumentException(
          "snapshotRetention must not be negative, got " + snapshotRetention);
    }
  }
}
