package io.cdrpipeline.testing;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.TableSettings;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/** A whole embedded pipeline under one folder, built the way the app builds it. */
public final class Pipeline {
  public final Path dir;
  public final Config config;
  public final Database database;
  public final Catalog catalog;
  public final ObjectStore cdr;
  public final LocalStore processed;

  public Pipeline(Path dir) {
    this(dir, null);
  }

  /** A pipeline whose CDR bucket is the given store (e.g. a counting wrapper). */
  public Pipeline(Path dir, ObjectStore cdrStore) {
    this(dir, cdrStore, null);
  }

  /** A pipeline whose catalog is at a JDBC URL (e.g. PostgreSQL) instead of the SQLite file. */
  public Pipeline(Path dir, ObjectStore cdrStore, String catalogUrl) {
    this.dir = dir;
    this.config = Config.defaults(dir.resolve("data"));
    this.database = Database.open(catalogUrl != null ? catalogUrl : config.catalogUrl());
    this.catalog = new Catalog(database);
    this.cdr = cdrStore != null ? cdrStore : new LocalStore(cdrRoot());
    this.processed = new LocalStore(dir.resolve("data/processed"));
  }

  public Path cdrRoot() {
    return dir.resolve("data/cdr-bucket");
  }

  public Crawler crawler() {
    return new Crawler(catalog, 0, 4, config.stateDir().resolve("tmp"), s -> {});
  }

  public EtlJob etl() {
    return etl(EtlListener.NONE);
  }

  public EtlJob etl(EtlListener listener) {
    return EtlJob.embedded(
        catalog,
        List.of(new RawSource(ProcessedSchema.SOURCE_CDR, cdr, "")),
        table(),
        "512MB",
        config.stateDir().resolve("tmp"),
        listener);
  }

  private ProcessedTable table;

  /** The local file of a data file's location in the table. */
  public Path file(String location) {
    return io.cdrpipeline.table.StoreFileIO.path(location);
  }

  /** The data files of the table's current snapshot for a day. */
  public List<Path> dayFiles(LocalDate day) {
    return table().iceberg().refresh().dayFiles(day).stream().map(f -> file(f.location())).toList();
  }

  /** The processed table, opened on first use and kept. */
  public ProcessedTable table() {
    if (table == null) {
      table =
          new ProcessedTable(
              IcebergTable.open(
                  TableSettings.DEFAULTS, database.url(), config.database(), processed),
              catalog);
    }
    return table;
  }

  public QueryEngine query() {
    return query(QueryLimits.DEFAULTS);
  }

  /** An engine with other limits. */
  public QueryEngine query(QueryLimits limits) {
    return QueryEngine.open(
        catalog,
        config.database(),
        table().iceberg(),
        QueryEngine.ProcessedFiles.local(table().iceberg()),
        cdr,
        limits,
        config.stateDir().resolve("tmp"));
  }

  /** Runs one query on a fresh engine. */
  public QueryResult sql(String sql) {
    try (QueryEngine q = query()) {
      return q.query(sql);
    }
  }

  /** The single number a query returns. */
  public long count(String sql) {
    Object v = sql(sql).rows().get(0).get(0);
    return ((Number) v).longValue();
  }
}
