package io.cdrpipeline.config;

import io.cdrpipeline.store.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** Checks the {@code s3:} block; each mistake is one {@link ConfigException} naming its key. */
final class S3Keys {
  /** The settings of {@code raw}, over the defaults {@code d}. */
  static S3Settings validate(ConfigFile.S3File raw, S3Settings d, Path file) {
    if (raw == null) {
      return d;
    }
    Optional<URI> endpoint = Optional.empty();
    if (raw.endpoint != null && !raw.endpoint.isBlank()) {
      try {
        endpoint = Optional.of(Addresses.endpoint(raw.endpoint));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("bad value for 's3.endpoint' in " + file + ": " + e.getMessage());
      }
    }
    int concurrency = raw.maxConcurrency == null ? d.maxConcurrency() : raw.maxConcurrency;
    if (concurrency < 1 || concurrency > 1024) {
      throw new ConfigException(
          "bad value for 's3.maxConcurrency' in "
              + file
              + ": "
              + concurrency
              + " (expected 1 to 1024)");
    }
    String region = raw.region == null || raw.region.isBlank() ? null : raw.region.trim();
    if (region != null && !region.matches("[a-z]{2}(-[a-z]+)+-\\d+|[a-z0-9-]+")) {
      throw new ConfigException("bad value for 's3.region' in " + file + ": '" + region + "'");
    }
    return new S3Settings(
        endpoint,
        raw.pathStyle != null ? raw.pathStyle : endpoint.isPresent(),
        Optional.ofNullable(region),
        concurrency);
  }

  private S3Keys() {}
}
