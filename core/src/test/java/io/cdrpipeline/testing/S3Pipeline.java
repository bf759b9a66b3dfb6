package io.cdrpipeline.testing;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.query.CachedProcessedFiles;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.store.ObjectCache;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.TableSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The embedded pipeline with its CDR, processed and reports buckets on an S3-compatible server. */
public final class S3Pipeline implements AutoCloseable {
  public final Path dir;
  public final Config config;
  public final Database database;
  public final Catalog catalog;
  public final S3Store cdr;
  public final S3Store additional;
  public final S3Store processed;
  public final S3Store reports;
  public final ObjectCache cache;

  public final String suffix;

  public S3Pipeline(Path dir, S3Server server, boolean withAdditional) {
    this(dir, server, withAdditional, "");
  }

  /** Buckets named with a suffix, so tests sharing one server do not share buckets. */
  public S3Pipeline(Path dir, S3Server server, boolean withAdditional, String suffix) {
    this.suffix = suffix.isEmpty() ? "" : "-" + suffix;
    this.dir = dir;
    this.config = Config.defaults(dir.resolve("data"));
    this.database = Database.open(config.catalogUrl());
    this.catalog = new Catalog(database);
    this.cdr = server.store("cdr-bucket" + this.suffix, "", 16);
    this.additional = withAdditional ? server.store("old-cdrs" + this.suffix, "archive", 16) : null;
    this.processed = server.store("processed-bucket" + this.suffix, "tables", 16);
    this.reports = server.store("reports-bucket" + this.suffix, "", 4);
    this.cache = new ObjectCache(dir.resolve("data/state/cache"), 512L * 1024 * 1024);
  }

  public List<RawSource> sources() {
    List<RawSource> s = new ArrayList<>();
    s.add(new RawSource(ProcessedSchema.SOURCE_CDR, cdr, ""));
    if (additional != null) {
      s.add(
          new RawSource(
              ProcessedSchema.SOURCE_ADDITIONAL,
              additional,
              additional.location().display() + "/"));
    }
    return s;
  }

  public Crawler crawler() {
    return new Crawler(catalog, 0, 4, config.stateDir().resolve("tmp"), s -> {});
  }

  public EtlJob etl() {
    return EtlJob.embedded(
        catalog, sources(), table(), "512MB", config.stateDir().resolve("tmp"), EtlListener.NONE);
  }

  private ProcessedTable table;

  /** The processed table on S3, opened on first use and kept. */
  public ProcessedTable table() {
    if (table == null) {
      table =
          new ProcessedTable(
              IcebergTable.open(
                  TableSettings.DEFAULTS, catalog.database().url(), "cdrs", processed),
              catalog);
    }
    return table;
  }

  public QueryEngine query() {
    return QueryEngine.open(
        catalog,
        config.database(),
        table().iceberg(),
        new CachedProcessedFiles(processed, cache),
        cdr,
        QueryLimits.DEFAULTS,
        config.stateDir().resolve("tmp"));
  }

  public QueryResult sql(String sql) {
    try (QueryEngine q = query()) {
      return q.query(sql);
    }
  }

  public long count(String sql) {
    return ((Number) sql(sql).rows().get(0).get(0)).longValue();
  }

  @Override
  public void close() {
    cdr.close();
    processed.close();
    reports.close();
    if (additional != null) {
      additional.close();
    }
  }
}
