package io.cdrpipeline.table;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.ObjectStore;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;

/**
 * Removes the processed table from its catalog, keeping its files (see {@link
 * IcebergTable#dropFromCatalog}).
 */
final class DropFromCatalog {
  private DropFromCatalog() {}

  static boolean drop(
      TableSettings settings, String catalogUrl, String namespace, ObjectStore warehouse) {
    FileIO io = IcebergTable.fileIo(warehouse);
    Catalog catalog = null;
    try {
      catalog =
          CatalogFactory.create(settings, catalogUrl, IcebergTable.location(warehouse, ""), io);
      TableIdentifier id = TableIdentifier.of(Namespace.of(namespace), ProcessedSchema.TABLE);
      boolean exists;
      try {
        exists = catalog.tableExists(id);
      } catch (NotFoundException damaged) {
        exists =
            true; // its metadata is missing or damaged: the entry goes all the same, nothing is
        // read
      }
      boolean dropped = exists && catalog.dropTable(id, false);
      if (catalog instanceof SupportsNamespaces ns
          && ns.namespaceExists(id.namespace())
          && catalog.listTables(id.namespace()).isEmpty()) {
        ns.dropNamespace(id.namespace());
      }
      if (settings.catalog() == TableSettings.Kind.JDBC) {
        JdbcCatalogFactory.dropEmptyTables(catalogUrl);
      }
      return dropped;
    } catch (RuntimeException e) {
      throw new TableException(
          "cannot remove the processed table from the "
              + CatalogFactory.describe(settings, catalogUrl)
              + ": "
              + Database.redact(FailureText.withRootCause(e)),
          e);
    } finally {
      if (catalog != null) {
        CatalogFactory.closeQuietly(catalog);
      }
      io.close();
      SharedFileIO.release(io);
    }
  }
}
