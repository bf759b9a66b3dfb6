package io.cdrpipeline.table;

import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Iceberg catalog the settings name, once: {@link JdbcCatalogFactory} (in the product's
 * catalog database), {@link RestCatalogFactory} or {@link GlueCatalogFactory}.
 */
final class CatalogFactory {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogFactory.class);

  private CatalogFactory() {}

  /**
   * The catalog of the settings, with the table's FileIO for every table it loads.
   *
   * @param catalogUrl the product's catalog database, where a JDBC catalog keeps its tables
   * @param warehouseLocation where new tables go, ending with a '/'
   */
  static Catalog create(
      TableSettings settings, String catalogUrl, String warehouseLocation, FileIO io) {
    switch (settings.catalog()) {
      case JDBC:
        return JdbcCatalogFactory.create(catalogUrl, warehouseLocation, io, settings.properties());
      case REST:
        return RestCatalogFactory.create(io, settings.properties());
      default:
        return GlueCatalogFactory.create(warehouseLocation, io, settings.properties());
    }
  }

  /** The catalog as a message names it: its kind and where it is, without passwords. */
  static String describe(TableSettings settings, String catalogUrl) {
    Map<String, String> p = settings.properties();
    switch (settings.catalog()) {
      case JDBC:
        return JdbcCatalogFactory.describe(catalogUrl);
      case REST:
        return RestCatalogFactory.describe(p);
      default:
        return GlueCatalogFactory.describe(p);
    }
  }

  static void closeQuietly(Catalog c) {
    if (c instanceof AutoCloseable a) {
      try {
        a.close();
      } catch (Exception e) {
        LOG.debug("cannot close the catalog: {}", e.getMessage());
      }
    }
  }
}
