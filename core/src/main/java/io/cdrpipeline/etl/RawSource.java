package io.cdrpipeline.etl;

import io.cdrpipeline.store.ObjectStore;
import java.util.Objects;

/**
 * A bucket the ETL reads CDRs from. {@code sourceKeyPrefix} is put before each object key in {@code
 * source_key}: empty for the CDR bucket, the bucket's location for the additional one, so a key is
 * never ambiguous.
 */
public record RawSource(String name, ObjectStore store, String sourceKeyPrefix) {
  public RawSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(sourceKeyPrefix, "sourceKeyPrefix");
  }
}
