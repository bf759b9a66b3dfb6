package io.cdrpipeline.catalog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * An exclusive lock shared by every process using the same catalog, released when its holder closes
 * it or dies: an OS file lock next to a SQLite catalog, an advisory lock on PostgreSQL.
 */
public final class NamedLock implements AutoCloseable {
  private static final ConcurrentHashMap<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();

  private final Runnable release;

  private NamedLock(Runnable release) {
    this.release = release;
  }

  /**
   * Takes the lock, waiting for its holder if there is one; {@code onWait} is told once that the
   * caller is waiting.
   */
  public static NamedLock acquire(Database db, String name, Consumer<String> onWait) {
    return take(db, name, onWait, true).orElseThrow();
  }

  /** Takes the lock if nobody holds it, without waiting. */
  public static Optional<NamedLock> tryAcquire(Database db, String name) {
    return take(db, name, m -> {}, false);
  }

  private static Optional<NamedLock> take(
      Database db, String name, Consumer<String> onWait, boolean wait) {
    Optional<Path> dir = db.dialect().lockFolder();
    if (dir.isEmpty()) {
      return advisory(db, name, onWait, wait);
    }
    return fileLock(
        dir.get().resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".lock"), name, onWait, wait);
  }

  private static Optional<NamedLock> fileLock(
      Path file, String name, Consumer<String> onWait, boolean wait) {
    Path key = file.toAbsolutePath().normalize();
    Semaphore local = IN_PROCESS.computeIfAbsent(key, k -> new Semaphore(1));
    boolean told = false;
    try {
      if (!local.tryAcquire()) {
        if (!wait) {
          return Optional.empty();
        }
        onWait.accept("waiting for another run that holds " + name);
        told = true;
        local.acquire();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CatalogException("interrupted while waiting for " + name, e);
    }
    try {
      Files.createDirectories(key.getParent());
      FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        if (!wait) {
          ch.close();
          local.release();
          return Optional.empty();
        }
        if (!told) {
          onWait.accept("waiting for another process that holds " + name);
        }
        lock = ch.lock();
      }
      FileLock held = lock;
      return Optional.of(
          new NamedLock(
              () -> {
                try {
                  held.release();
                  ch.close();
                } catch (IOException ignored) {
                  // closing the channel releases the lock anyway
                } finally {
                  local.release();
                }
              }));
    } catch (IOException | RuntimeException e) {
      local.release();
      throw new CatalogException("cannot lock " + key + ": " + e.getMessage(), e);
    }
  }

  private static Optional<NamedLock> advisory(
      Database db, String name, Consumer<String> onWait, boolean wait) {
    try {
      Connection c = db.connection();
      try {
        boolean got;
        try (PreparedStatement ps =
            c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
          ps.setString(1, name);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            got = rs.getBoolean(1);
          }
        }
        if (!got && !wait) {
          c.close();
          return Optional.empty();
        }
        if (!got) {
          onWait.accept("waiting for another process that holds " + name);
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
            ps.setString(1, name);
            ps.executeQuery().close();
          }
        }
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      return Optional.of(
          new NamedLock(
              () -> {
                try (c;
                    PreparedStatement ps =
                        c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                  ps.setString(1, name);
                  ps.executeQuery().close();
                } catch (SQLException ignored) {
                  // closing the session releases the lock anyway
                }
              }));
    } catch (SQLException e) {
      throw new CatalogException("cannot take lock " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    release.run();
  }
}
