package io.cdrpipeline.table;

import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.RESTClient;
import org.apache.iceberg.rest.RESTSessionCatalog;

/**
 * Iceberg's REST catalog, with the table's FileIO for every table it loads: its default would make
 * one by class name (Hadoop's for a folder), and it would ignore the product's S3 settings.
 */
final class RestCatalogFactory {
  private RestCatalogFactory() {}

  static Catalog create(FileIO io, Map<String, String> props) {
    RestCatalog c = new RestCatalog(io);
    try {
      c.initialize("cdr", props);
    } catch (RuntimeException e) {
      CatalogFactory.closeQuietly(c);
      throw e;
    }
    return c;
  }

  static String describe(Map<String, String> props) {
    return "rest catalog at " + props.get(CatalogProperties.URI);
  }

  private static final class RestCatalog extends RESTCatalog {
    /**
     * Not final: the super constructor makes the session catalog, which asks for it only at
     * initialize.
     */
    private FileIO io;

    RestCatalog(FileIO io) {
      super();
      this.io = io;
    }

    @Override
    protected RESTSessionCatalog newSessionCatalog(
        Function<Map<String, String>, RESTClient> clientBuilder) {
      return new RESTSessionCatalog(clientBuilder, (context, properties) -> io);
    }
  }
}
