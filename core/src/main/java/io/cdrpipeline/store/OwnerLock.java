package io.cdrpipeline.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An operating-system lock on a file that a process holds for as long as the thing it owns lives (a
 * scratch folder, a background run); other processes probe it to tell a live owner from one that
 * died.
 *
 * <p>This process never opens a file it holds such a lock on a second time: closing any channel of
 * a file drops every lock the process holds on it (POSIX record locks belong to the process and the
 * file), which would make a live owner look dead to other processes.
 */
public final class OwnerLock implements AutoCloseable {
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private OwnerLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Creates the file, which must not exist yet, and locks it. */
  public static OwnerLock createNew(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      return held(file, channel, channel.lock());
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Locks an existing file; empty when a process (this one included) holds its lock. */
  public static Optional<OwnerLock> tryExisting(Path file) throws IOException {
    if (HELD.contains(key(file))) {
      return Optional.empty();
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      return Optional.of(held(file, channel, lock));
    } catch (OverlappingFileLockException e) {
      channel.close();
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * True if a live process, this one included, holds the file's lock; false if nobody does, or the
   * file is gone or cannot be opened.
   */
  public static boolean held(Path file) {
    try {
      Optional<OwnerLock> free = tryExisting(file);
      free.ifPresent(OwnerLock::close);
      return free.isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static OwnerLock held(Path file, FileChannel channel, FileLock lock) {
    HELD.add(key(file));
    return new OwnerLock(file, channel, lock);
  }

  private static Path key(Path file) {
    return file.toAbsolutePath().normalize();
  }

  /** Releases the lock. */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // closing the channel releases the lock in any case
    } finally {
      HELD.remove(key(file));
    }
  }
}
