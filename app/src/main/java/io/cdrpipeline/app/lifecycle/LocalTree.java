package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.context.Commands;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Local folders as destroy counts and removes them: never following a link, never entering or
 * deleting anything inside an untouchable location.
 */
final class LocalTree {
  private final Untouchable untouchable;

  LocalTree(Untouchable untouchable) {
    this.untouchable = Objects.requireNonNull(untouchable, "untouchable is null");
  }

  /** What a local folder holds, and which of its sub-folders are kept. */
  static final class Tally {
    long files;
    long bytes;
    long folders;
    final List<String> kept = new ArrayList<>();

    String describe() {
      return files == 0 ? "empty folders" : files(files) + ", " + Commands.bytes(bytes);
    }
  }

  Tally tally(Path root) throws IOException {
    Tally t = new Tally();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            Optional<String> u = d.equals(root) ? Optional.empty() : untouchable.why(d);
            if (u.isPresent()) {
              t.kept.add(d + ": " + u.get());
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (!untouchable.liesWithin(d)) {
              t.folders++; // a folder that leads to a kept one stays
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            Optional<String> u = untouchable.why(f);
            if (u.isPresent()) {
              t.kept.add(f + ": " + u.get());
            } else {
              t.files++;
              t.bytes += attrs.size();
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    return t;
  }

  /** Deletes a local folder's files and then its folders, bottom up. */
  String removeTree(Path root) throws IOException {
    long[] removed = {0};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return !d.equals(root) && untouchable.why(d).isPresent()
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
            if (untouchable.why(f).isEmpty()) {
              Files.deleteIfExists(f);
              removed[0]++;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            deleteIfEmpty(d);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    return files(removed[0]);
  }

  /** Deletes a folder if nothing is left in it and it is not untouchable; true if it is gone. */
  boolean deleteIfEmpty(Path dir) throws IOException {
    if (untouchable.why(dir).isPresent()) {
      return false;
    }
    try {
      return Files.deleteIfExists(dir) || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
    } catch (DirectoryNotEmptyException e) {
      return false;
    }
  }

  /**
   * Deletes a folder made of empty folders only; false (and nothing deleted) if it holds any file.
   */
  boolean emptyTree(Path root) throws IOException {
    boolean[] file = {false};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            file[0] = true;
            return FileVisitResult.TERMINATE;
          }
        });
    if (file[0]) {
      return false;
    }
    List<Path> dirs = new ArrayList<>();
    try (var walk = Files.walk(root)) {
      walk.forEach(dirs::add);
    }
    dirs.sort(Comparator.reverseOrder());
    for (Path d : dirs) {
      if (!deleteIfEmpty(d)) {
        return false;
      }
    }
    return true;
  }

  /** The entries of a folder whose names match, not inside an untouchable location. */
  List<Path> matching(Path dir, Pattern names) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        if (names.matcher(e.getFileName().toString()).matches() && untouchable.why(e).isEmpty()) {
          out.add(e);
        }
      }
    }
    out.sort(null);
    return out;
  }

  static String files(long n) {
    return n + (n == 1 ? " file" : " files");
  }
}
