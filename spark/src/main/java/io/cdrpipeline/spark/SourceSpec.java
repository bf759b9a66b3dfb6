package io.cdrpipeline.spark;

import io.cdrpipeline.etl.RawSource;
import java.io.Serializable;
import java.util.Objects;

/** A CDR bucket the job reads ({@link RawSource}), as a cluster's tasks open it. */
record SourceSpec(String name, StoreSpec store, String sourceKeyPrefix) implements Serializable {
  SourceSpec {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(store, "store is null");
    Objects.requireNonNull(sourceKeyPrefix, "sourceKeyPrefix is null");
  }

  RawSource open() {
    return new RawSource(name, store.shared(), sourceKeyPrefix);
  }
}
