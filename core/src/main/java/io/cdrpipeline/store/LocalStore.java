package io.cdrpipeline.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A bucket that is a local folder. Writes go to a hidden temporary file and are renamed into
 * place, so a reader never sees half an object. Hidden files (names starting with '.') are
 * never listed: they are temporary files of this store or of copy tools.
 */
public final class LocalStore implements ObjectStore {
  private final Path root;
  private final StoreLocation.Local location;

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
    Path dir = resolve(prefix);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!name.startsWith(".") && Files.isDirectory(p)) {
          names.add(name);
        }
      }
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public void list(String prefix, Consumer<ObjectInfo> sink) throws IOException {
    Path dir = resolve(prefix);
    if (!Files.isDirectory(dir)) {
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
            if (attrs.isRegularFile() && !name.startsWith(".")) {
              String rel = dir.relativize(file).toString();
              if (java.io.File.separatorChar != '/') {
                rel = rel.replace(java.io.File.separatorChar, '/');
              }
              sink.accept(new ObjectInfo(keyPrefix + rel, attrs.size(), attrs.lastModifiedTime().toInstant()));
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
    Path dir = resolve(prefix);
    if (!Files.isDirectory(dir)) {
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
    return Files.isDirectory(resolve(key));
  }

  @Override
  public byte[] read(String key) throws IOException {
    return Files.readAllBytes(resolve(key));
  }

  @Override
  public Optional<StoredObject> readObject(String key) throws IOException {
    Path p = resolve(key);
    try {
      // no separate stat: the size is the content's; the time is not known (EPOCH)
      byte[] content = Files.readAllBytes(p);
      return Optional.of(new StoredObject(new ObjectInfo(key, content.length, Instant.EPOCH), content));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (Files.isDirectory(p)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void putFile(String key, Path file) throws IOException {
    Path target = resolve(key);
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try {
        Files.move(file, tmp, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      moveIntoPlace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
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
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p)) {
      return Optional.empty();
    }
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
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

  private Path resolve(String key) {
    Path p = key.isEmpty() ? root : root.resolve(key).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("key escapes the bucket folder: '" + key + "'");
    }
    return p;
  }

  private String keyOf(Path p) {
    String rel = root.relativize(p).toString();
    return java.io.File.separatorChar == '/' ? rel : rel.replace(java.io.File.separatorChar, '/');
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
