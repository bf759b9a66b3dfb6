package io.cdrpipeline.testing;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Reads the processed table as another engine would: Iceberg's own JdbcCatalog on the catalog
 * database and a plain local FileIO (none of the product's table code), then DuckDB over the data
 * files the current snapshot lists.
 */
public final class ExternalIcebergReader {
  private ExternalIcebergReader() {}

  /** The counts another engine sees: rows, distinct source keys and distinct call ids. */
  public record Counts(long rows, long sourceKeys, long callIds) {}

  public static Counts counts(String catalogUrl, String namespace) throws Exception {
    JdbcCatalog catalog = new JdbcCatalog();
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, catalogUrl);
    props.put(CatalogProperties.WAREHOUSE_LOCATION, "file:/nowhere");
    props.put(CatalogProperties.FILE_IO_IMPL, LocalIo.class.getName());
    props.put("jdbc.schema-version", "V1");
    catalog.initialize("cdr", props);
    try {
      Table t = catalog.loadTable(TableIdentifier.of(namespace, "processed_cdrs"));
      List<String> files = new ArrayList<>();
      if (t.currentSnapshot() != null) {
        try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
          for (FileScanTask task : tasks) {
            files.add(path(task.file().location()).toString());
          }
        }
      }
      if (files.isEmpty()) {
        return new Counts(0, 0, 0);
      }
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*), count(DISTINCT source_key), count(DISTINCT callid) FROM read_parquet(["
                      + files.stream()
                          .map(f -> "'" + f.replace("'", "''") + "'")
                          .collect(Collectors.joining(", "))
                      + "])")) {
        rs.next();
        return new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
      }
    } finally {
      catalog.close();
    }
  }

  static Path path(String location) {
    return Path.of(URI.create(location.startsWith("file:/") ? location : "file:" + location));
  }

  /** Local files, by Iceberg's own local input and output. */
  public static final class LocalIo implements FileIO {
    @Override
    public InputFile newInputFile(String path) {
      return org.apache.iceberg.Files.localInput(new File(path(path).toString()));
    }

    @Override
    public OutputFile newOutputFile(String path) {
      return org.apache.iceberg.Files.localOutput(new File(path(path).toString()));
    }

    @Override
    public void deleteFile(String path) {
      try {
        Files.deleteIfExists(path(path));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
