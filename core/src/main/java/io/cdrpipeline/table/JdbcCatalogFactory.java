package io.cdrpipeline.table;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.catalog.Dialect;
import io.cdrpipeline.failure.FailureText;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.JdbcClientPool;

/** Iceberg's JdbcCatalog in the product's catalog database (SQLite or PostgreSQL). */
final class JdbcCatalogFactory {
  private JdbcCatalogFactory() {}

  static Catalog create(String catalogUrl, String warehouse, FileIO io, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, catalogUrl);
    props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    props.put("jdbc.schema-version", "V1");
    Dialect.find(catalogUrl).ifPresent(d -> props.putAll(d.icebergCatalogProperties()));
    props.putAll(extra);
    JdbcCatalog c =
        new JdbcCatalog(p -> io, p -> new JdbcClientPool(p.get(CatalogProperties.URI), p), true);
    c.initialize("cdr", props);
    return c;
  }

  static String describe(String catalogUrl) {
    return "jdbc catalog of " + Database.redact(catalogUrl);
  }

  /** Drops Iceberg's own tables in the catalog database once nothing is in them. */
  static void dropEmptyTables(String catalogUrl) {
    try (Connection c = DriverManager.getConnection(catalogUrl)) {
      JdbcCatalogEntry.dropEmptyTables(c);
    } catch (SQLException e) {
      throw new TableException(
          "cannot clean up Iceberg's tables: " + FailureText.firstLine(e.getMessage()), e);
    }
  }
}
