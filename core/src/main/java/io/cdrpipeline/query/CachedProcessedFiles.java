package io.cdrpipeline.query;

import io.cdrpipeline.store.ObjectCache;
import io.cdrpipeline.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/** Processed files of a remote store (S3), read through a local cache, fetched per query as needed. */
public final class CachedProcessedFiles implements QueryEngine.ProcessedFiles {
  private final ObjectStore store;
  private final ObjectCache cache;

  public CachedProcessedFiles(ObjectStore store, ObjectCache cache) {
    this.store = Objects.requireNonNull(store, "store is null");
    this.cache = Objects.requireNonNull(cache, "cache is null");
  }

  @Override
  public Path localFile(String key) throws IOException {
    return cache.fetch(store, key);
  }

  @Override
  public Path root() {
    return cache.dir();
  }

  @Override
  public boolean remote() {
    return true;
  }

  @Override
  public void release() throws IOException {
    cache.release();
  }
}
