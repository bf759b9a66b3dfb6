package io.cdrpipeline.store;

import java.net.URI;
import java.util.Optional;

/**
 * How to reach S3 or an S3-compatible store: an endpoint override (none for AWS), path-style
 * addressing, the region, and how many requests may be in flight at once.
 */
public record S3Settings(
    Optional<URI> endpoint, boolean pathStyle, Optional<String> region, int maxConcurrency) {
  public S3Settings {
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException(
          "maxConcurrency must be at least 1, got " + maxConcurrency);
    }
  }

  /** AWS itself: the default region and credential chains, 64 requests in flight. */
  public static S3Settings defaults() {
    return new S3Settings(Optional.empty(), false, Optional.empty(), 64);
  }
}
