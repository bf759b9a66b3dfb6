package io.cdrpipeline.query;

import io.cdrpipeline.store.OwnerLock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temporary folder that belongs to one user of it (one query engine), so that two processes never
 * spill into the same files. The owner holds an operating-system lock on a file beside the folder,
 * taken before the folder exists, for as long as it lives; a folder whose lock can be taken belongs
 * to a process that died, and is removed when the next folder is made. Closing removes the folder.
 */
public final class ScratchDir implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScratchDir.class);
  private static final String LOCK_SUFFIX = ".lock";

  private final Path path;
  private final Path lockFile;
  private final OwnerLock lock;

  private ScratchDir(Path path, Path lockFile, OwnerLock lock) {
    this.path = path;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /**
   * Makes a new folder {@code <parent>/<prefix>-<unique>}, after removing the {@code prefix-*}
   * folders of processes that are gone.
   */
  public static ScratchDir create(Path parent, String prefix) throws IOException {
    Objects.requireNonNull(parent, "parent is null");
    Objects.requireNonNull(prefix, "prefix is null");
    Files.createDirectories(parent);
    removeAbandoned(parent, prefix);
    String name =
        prefix
            + "-"
            + ProcessHandle.current().pid()
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    Path lockFile = parent.resolve(name + LOCK_SUFFIX);
    OwnerLock lock = OwnerLock.createNew(lockFile);
    try {
      Path dir = Files.createDirectory(parent.resolve(name));
      return new ScratchDir(dir, lockFile, lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      Files.deleteIfExists(lockFile);
      throw e;
    }
  }

  /** The folder. */
  public Path path() {
    return path;
  }

  /** Removes the folders of this prefix whose owner is gone (its lock is free). */
  static void removeAbandoned(Path parent, String prefix) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, prefix + "-*")) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (name.endsWith(LOCK_SUFFIX)) {
          Path dir = d.resolveSibling(name.substring(0, name.length() - LOCK_SUFFIX.length()));
          if (!Files.exists(dir) && olderThanAMinute(d)) {
            removeIfFree(d, dir); // a process killed between its lock and its folder
          }
        } else if (Files.isDirectory(d)) {
          Path lockFile = d.resolveSibling(name + LOCK_SUFFIX);
          if (!Files.exists(lockFile)) {
            LOG.info("removing a temporary folder without an owner: {}", d);
            deleteTree(d);
          } else {
            removeIfFree(lockFile, d);
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot look for abandoned temporary folders in {}: {}", parent, e.getMessage());
    }
  }

  /** Removes the folder and its lock file while holding the lock, if nobody holds it. */
  private static void removeIfFree(Path lockFile, Path dir) {
    try {
      Optional<OwnerLock> free = OwnerLock.tryExisting(lockFile);
      if (free.isEmpty()) {
        return;
      }
      try (OwnerLock l = free.get()) {
        if (Files.exists(dir)) {
          LOG.info("removing the temporary folder of a process that is gone: {}", dir);
          deleteTree(dir);
        }
        Files.deleteIfExists(lockFile);
      }
    } catch (IOException e) {
      LOG.debug("cannot check {}: {}", lockFile, e.getMessage());
    }
  }

  private static boolean olderThanAMinute(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - 60_000;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    deleteTree(path);
    try {
      Files.deleteIfExists(lockFile);
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", lockFile, e.getMessage());
    } finally {
      lock.close();
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  LOG.debug("cannot delete {}: {}", p, e.getMessage());
                }
              });
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
