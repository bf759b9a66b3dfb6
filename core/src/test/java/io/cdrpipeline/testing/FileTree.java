package io.cdrpipeline.testing;

import io.cdrpipeline.catalog.Catalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What is on disk and in the catalog, to prove that something changed nothing. */
public final class FileTree {
  private FileTree() {}

  /**
   * Every file and folder under {@code root} with the SHA-256 of each file's content, except files
   * whose name starts with one of {@code skipped} (e.g. a database that reads touch).
   */
  public static Map<String, String> snapshot(Path root, String... skipped) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (Stream.of(skipped).anyMatch(name::startsWith)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel + "/", "dir");
        } else {
          out.put(rel, sha256(p));
        }
      }
    }
    return out;
  }

  /** The names in one folder (not recursive), with sizes. */
  public static Map<String, String> listing(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(
            p.getFileName().toString(),
            Files.isDirectory(p) ? "dir" : String.valueOf(Files.size(p)));
      }
    }
    return out;
  }

  /** Every row of every table of the catalog database, in a stable order, as text. */
  public static String dump(Catalog catalog) {
    StringBuilder b = new StringBuilder();
    List<String> tables =
        catalog.query(
            catalog.database().url().startsWith("jdbc:sqlite:")
                ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
            rs -> rs.getString(1));
    for (String t : tables) {
      b.append("## ").append(t).append('\n');
      List<String> rows =
          catalog.query(
              "SELECT * FROM " + t,
              rs -> {
                StringBuilder r = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                  r.append(rs.getString(i)).append('|');
                }
                return r.toString();
              });
      rows.stream().sorted().forEach(r -> b.append(r).append('\n'));
    }
    return b.toString();
  }

  /** Deletes a file or a folder with everything in it. */
  public static void delete(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  private static String sha256(Path p) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
