package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.config.Config;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.StoreLocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What destroy never writes or removes, whatever the config says: the CDR bucket, the additional
 * bucket and the config file, with everything at or inside them.
 */
final class Untouchable {
  private final Config config;
  private final List<StoreLocation> locations;

  Untouchable(Config config, Optional<Path> configFile) {
    this.config = Objects.requireNonNull(config, "config is null");
    List<StoreLocation> u = new ArrayList<>();
    u.add(config.cdrBucket());
    config.additionalCdrBucket().ifPresent(u::add);
    configFile.ifPresent(f -> u.add(new StoreLocation.Local(f.toAbsolutePath().normalize())));
    this.locations = List.copyOf(u);
  }

  /** The locations destroy never changes, for the user. */
  List<String> names() {
    List<String> names = new ArrayList<>();
    names.add("the CDR bucket " + config.cdrBucket().display());
    config.additionalCdrBucket().ifPresent(a -> names.add("the additional bucket " + a.display()));
    return names;
  }

  /** Why a place is never changed, or empty if destroy may change it. */
  Optional<String> why(Path local) {
    for (StoreLocation u : locations) {
      if (Nesting.inside(local, u)) {
        return Optional.of(reason(u));
      }
    }
    return Optional.empty();
  }

  /** Why an object is never changed, or empty if destroy may change it. */
  Optional<String> why(String bucket, String fullKey) {
    for (StoreLocation u : locations) {
      if (Nesting.inside(bucket, fullKey, u)) {
        return Optional.of(reason(u));
      }
    }
    return Optional.empty();
  }

  /** True if an untouchable location lies within a local folder (so the folder stays). */
  boolean liesWithin(Path folder) {
    for (StoreLocation u : locations) {
      if (u instanceof StoreLocation.Local l
          && Nesting.real(l.root()).startsWith(Nesting.real(folder))) {
        return true;
      }
    }
    return false;
  }

  /** True if a bucket holds an untouchable location (so it stays). */
  boolean holdsBucket(String bucket) {
    return locations.stream()
        .anyMatch(u -> u instanceof StoreLocation.S3 s && s.bucket().equals(bucket));
  }

  private String reason(StoreLocation u) {
    if (u.equals(config.cdrBucket())) {
      return "inside the CDR bucket " + u.display() + ", which destroy never changes";
    }
    if (config.additionalCdrBucket().map(u::equals).orElse(false)) {
      return "inside the additional bucket " + u.display() + ", which destroy never changes";
    }
    return "the config file " + u.display() + " is kept";
  }
}
