package io.cdrpipeline.table;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.AwsProperties;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;

/**
 * Iceberg's GlueCatalog: the Glue client from {@link GlueClients}, the table's FileIO through
 * {@link SharedFileIO} (the catalog makes one per table by class name), and Glue's table version as
 * the optimistic lock of every commit (no lock manager). The sharing ends when the table closes its
 * FileIO.
 */
final class GlueCatalogFactory {
  private GlueCatalogFactory() {}

  static Catalog create(String warehouse, FileIO io, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>(extra);
    String shared = SharedFileIO.share(io);
    props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    props.put(CatalogProperties.FILE_IO_IMPL, SharedFileIO.class.getName());
    props.put(SharedFileIO.ID, shared);
    props.put(AwsProperties.CLIENT_FACTORY, GlueClients.class.getName());
    GlueCatalog c = new GlueCatalog();
    try {
      c.initialize("cdr", props);
    } catch (RuntimeException e) {
      CatalogFactory.closeQuietly(c);
      throw e;
    }
    return c;
  }

  static String describe(Map<String, String> p) {
    return "glue catalog"
        + (p.containsKey(AwsProperties.GLUE_CATALOG_ID)
            ? " of account " + p.get(AwsProperties.GLUE_CATALOG_ID)
            : "")
        + (p.containsKey(AwsProperties.GLUE_CATALOG_ENDPOINT)
            ? " at " + p.get(AwsProperties.GLUE_CATALOG_ENDPOINT)
            : p.containsKey(AwsClientProperties.CLIENT_REGION)
                ? " in " + p.get(AwsClientProperties.CLIENT_REGION)
                : "");
  }
}
