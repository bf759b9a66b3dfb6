package io.cdrpipeline.query;

import io.cdrpipeline.store.ObjectCache;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.table.IcebergTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Processed files of a remote store (S3), read through a local cache, fetched per query as needed.
 */
public final class CachedProcessedFiles implements QueryEngine.ProcessedFiles {
  private final ObjectStore store;
  private final ObjectCache cache;

  private final String prefix;

  public CachedProcessedFiles(ObjectStore store, ObjectCache cache) {
    this.store = Objects.requireNonNull(store, "store is null");
    this.cache = Objects.requireNonNull(cache, "cache is null");
    this.prefix = IcebergTable.location(store, "");
  }

  @Override
  public Path localFile(String location) throws IOException {
    if (!location.startsWith(prefix)) {
      throw new IOException("data file " + location + " is not in " + store.location().display());
    }
    return cache.fetch(store, location.substring(prefix.length()));
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
