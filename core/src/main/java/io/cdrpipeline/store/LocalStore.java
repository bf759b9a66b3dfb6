package io.cdrpipeline.store;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bucket that is a local folder. Writes go to a hidden temporary file and are renamed into place,
 * so a reader never sees half an object. Hidden files (names starting with '.') are never listed:
 * they are temporary files of this store or of copy tools. Symbolic links inside the folder are
 * never followed when reading (the folder itself may be one): a link could lead out of the bucket,
 * or into a folder that is read anyway, so its files would count twice. Only regular files are
 * objects; a named pipe or device is never opened.
 */
public final class LocalStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStore.class);
  private static final int MAX_VERIFIED = 10_000;

  private final Path root;
  private final StoreLocation.Local location;

  /** Folders already found to be reached from the root without a link. */
  private final Set<Path> verified = ConcurrentHashMap.newKeySet();

  public LocalStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    this.location = new StoreLocation.Local(this.root);
  }

  public Path root() {
    return root;
  }

  @Override
  public StoreLocation location() {
    return location;
  }

  @Override
  public void checkReadable() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "bucket folder does not exist");
    }
    if (!Files.isReadable(root) || !Files.isExecutable(root)) {
      throw new AccessDeniedException(root.toString(), null, "bucket folder cannot be read");
    }
  }

  @Override
  public List<String> listFolders(String prefix) throws IOException {
    Path dir = folder(prefix);
    if (dir == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        BasicFileAttributes a = attributes(p);
        if (a != null && a.isSymbolicLink() && Files.isDirectory(p)) {
          LOG.warn(
              "{}: not following the symbolic link {} (links inside a bucket folder are never followed)",
              root,
              keyOf(p));
        } else if (a != null && a.isDirectory()) {
          names.add(name);
        }
      }
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public void list(String prefix, Consumer<ObjectInfo> sink) throws IOException {
    Path dir = folder(prefix);
    if (dir == null) {
      return;
    }
    String base = keyOf(dir);
    String keyPrefix = base.isEmpty() ? "" : base + "/";
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return !d.equals(dir) && d.getFileName().toString().startsWith(".")
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String name = file.getFileName().toString();
            // the walk does not follow links: a link's own attributes are not a regular file's
            if (attrs.isRegularFile() && !name.startsWith(".")) {
              String rel = dir.relativize(file).toString();
              if (File.separatorChar != '/') {
                rel = rel.replace(File.separatorChar, '/');
              }
              sink.accept(
                  new ObjectInfo(
                      keyPrefix + rel, attrs.size(), attrs.lastModifiedTime().toInstant()));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // deleted while listing
            }
            throw exc;
          }
        });
  }

  @Override
  public void listKeys(String prefix, Consumer<String> sink) throws IOException {
    Path dir = folder(prefix);
    if (dir == null) {
      return;
    }
    String base = keyOf(dir);
    String keyPrefix = base.isEmpty() ? "" : base + "/";
    // names only (readdir, no stat per file): the reader learns size and time when it reads
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!name.startsWith(".")) {
          sink.accept(keyPrefix + name);
        }
      }
    }
  }

  @Override
  public boolean isFolder(String key) {
    Path p = resolve(key);
    BasicFileAttributes a = attributes(p);
    try {
      return a != null && a.isDirectory() && (p.equals(root) || linkFree(p.getParent()));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public byte[] read(String key) throws IOException {
    return readObject(key)
        .orElseThrow(() -> new NoSuchFileException(resolve(key).toString()))
        .content();
  }

  @Override
  public Optional<StoredObject> readObject(String key, long maxBytes) throws IOException {
    Path p = resolve(key);
    BasicFileAttributes a;
    try {
      // the file's own attributes, not a link target's: this also keeps a named pipe from being
      // opened
      a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (a.isDirectory()) {
      return Optional.empty();
    }
    if (a.isSymbolicLink()) {
      throw new UnreadableObjectException(
          key,
          UnreadableObjectException.Kind.NOT_A_FILE,
          -1,
          "a symbolic link, not followed (links inside a bucket folder are never read)");
    }
    if (!a.isRegularFile()) {
      throw new UnreadableObjectException(
          key,
          UnreadableObjectException.Kind.NOT_A_FILE,
          -1,
          "not a regular file (a named pipe, socket or device), not read");
    }
    if (!linkFree(p.getParent())) {
      throw new UnreadableObjectException(
          key,
          UnreadableObjectException.Kind.NOT_A_FILE,
          -1,
          "in a folder reached through a symbolic link, not read (links inside a bucket folder are never followed)");
    }
    if (a.size() > maxBytes) {
      throw UnreadableObjectException.tooLarge(key, a.size(), maxBytes);
    }
    byte[] content;
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      content = readFully(ch, (int) a.size());
      if (content.length == a.size() && ch.read(ByteBuffer.allocate(1)) > 0) {
        // it grew since it was looked at: read it again whole, within the limit
        long now = ch.size();
        if (now > maxBytes) {
          throw UnreadableObjectException.tooLarge(key, now, maxBytes);
        }
        ch.position(0);
        content = readFully(ch, (int) now);
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (AccessDeniedException e) {
      throw new UnreadableObjectException(
          key,
          UnreadableObjectException.Kind.NOT_PERMITTED,
          a.size(),
          "cannot be read: permission denied");
    }
    return Optional.of(
        new StoredObject(
            new ObjectInfo(key, content.length, a.lastModifiedTime().toInstant()), content));
  }

  @Override
  public void put(String key, byte[] content) throws IOException {
    Path target = resolve(key);
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.write(tmp, content);
      moveIntoPlace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void delete(String key) throws IOException {
    Files.deleteIfExists(resolve(key));
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    Path p = resolve(key);
    BasicFileAttributes a = attributes(p);
    if (a == null || !a.isRegularFile() || !linkFree(p.getParent())) {
      return Optional.empty();
    }
    return Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
  }

  @Override
  public int readers(int requested) {
    return Math.min(requested, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  @Override
  public Optional<Path> localPath(String key) {
    return Optional.of(resolve(key));
  }

  private static byte[] readFully(FileChannel ch, int size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(size);
    while (b.hasRemaining() && ch.read(b) >= 0) {
      // until full or at the end
    }
    return b.hasRemaining() ? Arrays.copyOf(b.array(), b.position()) : b.array();
  }

  /**
   * The folder at a prefix, or null if there is none or it is reached through a symbolic link (the
   * root itself may be one).
   */
  private Path folder(String prefix) throws IOException {
    Path dir = resolve(prefix);
    if (dir.equals(root)) {
      return Files.isDirectory(root) ? root : null;
    }
    BasicFileAttributes a = attributes(dir);
    if (a == null) {
      return null;
    }
    if (a.isSymbolicLink()) {
      LOG.warn(
          "{}: not following the symbolic link {} (links inside a bucket folder are never followed)",
          root,
          keyOf(dir));
      return null;
    }
    return a.isDirectory() && linkFree(dir.getParent()) ? dir : null;
  }

  /** True if a folder under the root is reached without following a link. */
  private boolean linkFree(Path dir) throws IOException {
    if (dir.equals(root) || verified.contains(dir)) {
      return true;
    }
    Path real;
    try {
      real = dir.toRealPath();
    } catch (NoSuchFileException e) {
      return false;
    }
    if (!real.equals(root.toRealPath().resolve(root.relativize(dir)))) {
      LOG.warn(
          "{}: not following the symbolic link in {} (links inside a bucket folder are never followed)",
          root,
          keyOf(dir));
      return false;
    }
    if (verified.size() >= MAX_VERIFIED) {
      verified.clear();
    }
    verified.add(dir);
    return true;
  }

  /** A path's own attributes (a link's, not its target's), or null if it does not exist. */
  private static BasicFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
  }

  private Path resolve(String key) {
    Path p = key.isEmpty() ? root : root.resolve(key).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("key escapes the bucket folder: '" + key + "'");
    }
    return p;
  }

  private String keyOf(Path p) {
    String rel = root.relativize(p).toString();
    return File.separatorChar == '/' ? rel : rel.replace(File.separatorChar, '/');
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
