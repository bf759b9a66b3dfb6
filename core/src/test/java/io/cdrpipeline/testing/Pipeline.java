package io.cdrpipeline.testing;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.etl.EmbeddedEtl;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
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

  public EmbeddedEtl etl() {
    return etl(EtlListener.NONE);
  }

  public EmbeddedEtl etl(EtlListener listener) {
    return new EmbeddedEtl(catalog, List.of(new RawSource(Crawler.SOURCE_CDR, cdr, "")), processed, "512MB",
        config.stateDir().resolve("tmp"), listener);
  }

  public QueryEngine query() {
    return query(QueryLimits.DEFAULTS);
  }

  /** An engine with other limits. */
  public QueryEngine query(QueryLimits limits) {
    return QueryEngine.open(catalog, config.database(), QueryEngine.ProcessedFiles.local(processed), cdr, limits,
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
