package io.cdrpipeline.table;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.S3Store;
import java.util.List;
import java.util.Objects;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchIcebergTableException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the processed table in its catalog, creating its namespace and the table when they do not
 * exist yet.
 */
final class TableLoader {
  private static final Logger LOG = LoggerFactory.getLogger(TableLoader.class);

  private TableLoader() {}

  /** See {@link IcebergTable#open(TableSettings, String, String, ObjectStore)}. */
  static IcebergTable open(
      TableSettings settings, String catalogUrl, String namespace, ObjectStore warehouse) {
    Objects.requireNonNull(settings, "settings is null");
    Objects.requireNonNull(catalogUrl, "catalogUrl is null");
    Objects.requireNonNull(namespace, "namespace is null");
    Objects.requireNonNull(warehouse, "warehouse is null");
    if (settings.catalog() == TableSettings.Kind.GLUE && !(warehouse instanceof S3Store)) {
      throw new TableException(
          "the glue catalog needs an s3:// warehouse (Athena and every other reader of Glue "
              + "read S3), got "
              + warehouse.location().display(),
          null);
    }
    String warehouseLocation = IcebergTable.location(warehouse, "");
    FileIO io = IcebergTable.fileIo(warehouse);
    Catalog catalog = null;
    try {
      catalog = CatalogFactory.create(settings, catalogUrl, warehouseLocation, io);
      return open(
          catalog,
          TableIdentifier.of(Namespace.of(namespace), ProcessedSchema.TABLE),
          warehouseLocation + ProcessedSchema.TABLE,
          io,
          true);
    } catch (RuntimeException e) {
      if (catalog != null) {
        CatalogFactory.closeQuietly(catalog);
      }
      io.close();
      SharedFileIO.release(io);
      if (e instanceof TableException) {
        throw e;
      }
      if (e instanceof NotFoundException missing) {
        throw TableErrors.damaged(missing);
      }
      if (e instanceof NoSuchIcebergTableException) {
        throw new TableException(
            "the "
                + CatalogFactory.describe(settings, catalogUrl)
                + " already has a table "
                + namespace
                + "."
                + ProcessedSchema.TABLE
                + " that is not an Iceberg table (e.g. one a Glue crawler made of the old folders): "
                + "drop it, or set 'database' to another name",
            e);
      }
      // a JDBC driver's message may carry the URL, password and all
      throw new TableException(
          "cannot open the processed table in the "
              + CatalogFactory.describe(settings, catalogUrl)
              + ": "
              + Database.redact(FailureText.withRootCause(e)),
          e);
    }
  }

  /** See {@link IcebergTable#open(Catalog, TableIdentifier, String, FileIO, boolean)}. */
  static IcebergTable open(
      Catalog catalog, TableIdentifier id, String location, FileIO io, boolean ownsIo) {
    Namespace ns = id.namespace();
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(ns)) {
      try {
        namespaces.createNamespace(ns);
      } catch (AlreadyExistsException e) {
        // another process made it meanwhile
      }
    }
    Table table;
    if (catalog.tableExists(id)) {
      table = catalog.loadTable(id);
    } else {
      List<String> found = MetadataFile.list(io, location);
      // the catalog lost the table (emptied, replaced, pointed elsewhere), not the table its
      // files: a new table there would hide every day it holds behind an empty one
      if (!found.isEmpty() && !catalog.tableExists(id)) {
        throw new TableException(
            "the catalog has no table "
                + id
                + ", but "
                + IcebergTable.display(location)
                + "/metadata holds its metadata ("
                + found.size()
                + " metadata files, newest "
                + IcebergTable.name(found.get(0))
                + "): the catalog was emptied or replaced. 'cdr table repair' registers the newest readable one with the "
                + "catalog again; to start an empty table instead, move "
                + IcebergTable.display(location)
                + " away",
            null);
      }
      Schema schema = TableSchema.initial();
      try {
        table =
            catalog
                .buildTable(id, schema)
                .withPartitionSpec(TableSchema.spec(schema))
                .withLocation(location)
                .withProperty(TableProperties.FORMAT_VERSION, "2")
                .withProperty(TableProperties.DEFAULT_FILE_FORMAT, "parquet")
                .withProperty(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
                .withProperty(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20")
                .withProperty(
                    TableProperties.COMMIT_NUM_RETRIES, String.valueOf(CommitRetry.RETRIES))
                .create();
        LOG.info("created Iceberg table {} at {}", id, location);
      } catch (AlreadyExistsException e) {
        table = catalog.loadTable(id); // another process made it meanwhile
      }
    }
    return new IcebergTable(catalog, id, io, ownsIo, table);
  }
}
