package io.cdrpipeline.store;

import java.time.Instant;
import java.util.Objects;

/** One object of a store: its key (relative to the store root, '/'-separated), size and time. */
public record ObjectInfo(String key, long size, Instant lastModified) {
  public ObjectInfo {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(lastModified, "lastModified");
  }

  /** The last segment of the key. */
  public String name() {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? key : key.substring(slash + 1);
  }
}
