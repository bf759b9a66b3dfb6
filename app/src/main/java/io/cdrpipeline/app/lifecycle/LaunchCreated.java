package io.cdrpipeline.app.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.store.ObjectStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The folders and buckets {@code cdr launch} created, from the record it keeps in the state folder:
 * each removed only once nothing else is left in it.
 */
final class LaunchCreated {
  /** The record {@code cdr launch} keeps of the folders and buckets it created. */
  static final String FILE = "launch-created.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The folders and buckets {@code cdr launch} recorded creating. */
  record Created(List<Path> folders, List<String> buckets) {
    Created {
      folders = List.copyOf(folders);
      buckets = List.copyOf(buckets);
    }
  }

  private final Config config;
  private final Untouchable untouchable;
  private final LocalTree local;

  LaunchCreated(Config config, Untouchable untouchable, LocalTree local) {
    this.config = Objects.requireNonNull(config, "config is null");
    this.untouchable = Objects.requireNonNull(untouchable, "untouchable is null");
    this.local = Objects.requireNonNull(local, "local is null");
  }

  static Created read(Path stateDir) throws IOException {
    Path f = stateDir.resolve(FILE);
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return new Created(List.of(), List.of());
    }
    JsonNode n;
    try {
      n = JSON.readTree(f.toFile());
    } catch (IOException e) {
      return new Created(List.of(), List.of()); // not ours to trust
    }
    List<Path> folders = new ArrayList<>();
    n.path("folders").forEach(x -> folders.add(Path.of(x.asText()).toAbsolutePath().normalize()));
    List<String> buckets = new ArrayList<>();
    n.path("buckets").forEach(x -> buckets.add(x.asText()));
    return new Created(folders, buckets);
  }

  /** Adds folders and buckets to the record of what launch created. */
  static void record(Path stateDir, List<Path> folders, List<String> buckets) throws IOException {
    if (folders.isEmpty() && buckets.isEmpty()) {
      return;
    }
    Created old = read(stateDir);
    Set<String> f = new LinkedHashSet<>();
    old.folders().forEach(p -> f.add(p.toString()));
    folders.forEach(p -> f.add(p.toAbsolutePath().normalize().toString()));
    Set<String> b = new LinkedHashSet<>(old.buckets());
    b.addAll(buckets);
    ObjectNode n = JSON.createObjectNode();
    ArrayNode fa = n.putArray("folders");
    f.forEach(fa::add);
    ArrayNode ba = n.putArray("buckets");
    b.forEach(ba::add);
    Files.createDirectories(stateDir);
    Path tmp = Files.createTempFile(stateDir, "." + FILE, ".tmp");
    try {
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
      Files.move(
          tmp,
          stateDir.resolve(FILE),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  void survey(List<Footprint.Part> parts, List<String> kept) throws IOException {
    if (untouchable.why(config.stateDir()).isPresent()) {
      return;
    }
    Created c = read(config.stateDir());
    List<Path> folders = new ArrayList<>();
    for (Path f : c.folders()) {
      if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)
          && untouchable.why(f).isEmpty()
          && !untouchable.liesWithin(f)) {
        folders.add(f);
      }
    }
    List<String> buckets = new ArrayList<>();
    for (String b : c.buckets()) {
      if (!untouchable.holdsBucket(b) && bucketExists(b)) {
        buckets.add(b);
      }
    }
    if (folders.isEmpty() && buckets.isEmpty()) {
      return;
    }
    List<String> names = new ArrayList<>();
    folders.forEach(f -> names.add(f.toString()));
    buckets.forEach(b -> names.add("s3://" + b));
    // folders may hold more, created later by the user: removed only if empty once the rest is gone
    parts.add(
        new Footprint.Part(
            "created by cdr launch",
            String.join(", ", names) + " (removed if nothing else is left in them)",
            () -> {
              List<String> done = new ArrayList<>();
              List<String> left = new ArrayList<>();
              for (Path f : folders) {
                // a folder inside another one removed before it is gone already
                (!Files.exists(f, LinkOption.NOFOLLOW_LINKS) || local.emptyTree(f) ? done : left)
                    .add(f.toString());
              }
              for (String b : buckets) {
                (deleteBucketIfEmpty(b) ? done : left).add("s3://" + b);
              }
              return (done.isEmpty() ? "" : "removed " + String.join(", ", done))
                  + (left.isEmpty()
                      ? ""
                      : (done.isEmpty() ? "" : "; ")
                          + "kept "
                          + String.join(", ", left)
                          + ": not empty");
            }));
  }

  private boolean bucketExists(String bucket) {
    try (var client = ObjectStores.accountClient(config.s3())) {
      client.headBucket(r -> r.bucket(bucket));
      return true;
    } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      return e.statusCode() != 404;
    }
  }

  private boolean deleteBucketIfEmpty(String bucket) {
    try (var client = ObjectStores.accountClient(config.s3())) {
      try {
        if (client.listObjectsV2(r -> r.bucket(bucket).maxKeys(1)).keyCount() > 0) {
          return false;
        }
        client.deleteBucket(r -> r.bucket(bucket));
        return true;
      } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
        return true;
      }
    } catch (UncheckedIOException | software.amazon.awssdk.core.exception.SdkException e) {
      return false;
    }
  }
}
