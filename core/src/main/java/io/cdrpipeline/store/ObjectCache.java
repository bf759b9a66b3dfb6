package io.cdrpipeline.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A local copy of objects of a remote store, for engines that can only read local files. Meant for
 * immutable objects (a processed file never changes: a new version gets a new name), so an entry
 * never goes stale. The total size is bounded; the least recently used entries are evicted first,
 * never those in use by the current query.
 */
public final class ObjectCache {
  private final Path dir;
  private final long maxBytes;
  private final Set<Path> pinned = ConcurrentHashMap.newKeySet();

  public ObjectCache(Path dir, long maxBytes) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    if (maxBytes < 1) {
      throw new IllegalArgumentException("cache size must be positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** The folder every cached file lives under. */
  public Path dir() {
    return dir;
  }

  /**
   * The local file of an object, fetched if it is not cached yet, and kept until {@link #release}.
   */
  public Path fetch(ObjectStore store, String key) throws IOException {
    Path local =
        dir.resolve(store.location().display().replaceAll("[^A-Za-z0-9._-]", "_"))
            .resolve(key)
            .normalize();
    if (!local.startsWith(dir)) {
      throw new IllegalArgumentException("key escapes the cache: '" + key + "'");
    }
    pinned.add(local);
    if (Files.isRegularFile(local)) {
      Files.setLastModifiedTime(local, FileTime.from(Instant.now())); // recently used
      return local;
    }
    Files.createDirectories(local.getParent());
    if (store instanceof S3Store s3) {
      s3.download(key, local);
    } else {
      Path tmp = local.resolveSibling("." + local.getFileName() + "." + System.nanoTime() + ".tmp");
      try {
        Files.write(tmp, store.read(key));
        Files.move(tmp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return local;
  }

  /** Lets every entry be evicted again, then trims the cache to its size. */
  public void release() throws IOException {
    pinned.clear();
    trim();
  }

  /** Evicts least recently used entries until the cache fits its size (pinned ones stay). */
  public void trim() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile).forEach(files::add);
    }
    long total = 0;
    for (Path f : files) {
      total += size(f);
    }
    files.sort(Comparator.comparing(ObjectCache::modified));
    for (Path f : files) {
      if (total <= maxBytes) {
        break;
      }
      if (pinned.contains(f)) {
        continue;
      }
      long s = size(f);
      Files.deleteIfExists(f);
      total -= s;
    }
  }

  /** Bytes the cache holds now. */
  public long size() throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(ObjectCache::size).sum();
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static FileTime modified(Path f) {
    try {
      return Files.getLastModifiedTime(f);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
