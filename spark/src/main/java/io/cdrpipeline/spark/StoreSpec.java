package io.cdrpipeline.spark;

import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bucket as a cluster's tasks open it: its location ({@code s3://bucket/prefix} or a folder every
 * node sees at the same path) and the product's S3 settings, in a form Spark ships.
 */
record StoreSpec(
    String location, String endpoint, boolean pathStyle, String region, int maxConcurrency)
    implements Serializable {
  /**
   * Stores opened in this JVM, one per bucket: a task opens none of its own (S3 clients are
   * costly).
   */
  private static final Map<StoreSpec, ObjectStore> OPEN = new ConcurrentHashMap<>();

  StoreSpec {
    Objects.requireNonNull(location, "location is null");
  }

  static StoreSpec of(StoreLocation location, S3Settings s3) {
    return new StoreSpec(
        location.display(),
        s3.endpoint().map(URI::toString).orElse(null),
        s3.pathStyle(),
        s3.region().orElse(null),
        s3.maxConcurrency());
  }

  StoreLocation storeLocation() {
    return StoreLocation.parse(location, Path.of("/"));
  }

  S3Settings s3() {
    return new S3Settings(
        Optional.ofNullable(endpoint).map(URI::create),
        pathStyle,
        Optional.ofNullable(region),
        maxConcurrency);
  }

  /** The store, opened once per JVM and kept for the JVM's life. */
  ObjectStore shared() {
    return OPEN.computeIfAbsent(this, s -> ObjectStores.open(s.storeLocation(), s.s3()));
  }
}
