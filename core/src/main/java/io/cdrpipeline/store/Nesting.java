package io.cdrpipeline.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Whether a place lies at or inside a location, compared as the storage sees it: folders by their
 * real path (a symbolic link to the CDR bucket is the CDR bucket) and path segment by segment
 * ({@code /srv/cdrs-old} is not inside {@code /srv/cdrs}); S3 objects by bucket and key prefix,
 * segment by segment too. The one check of where a place lies: the config loader, {@code
 * configure}, {@code launch}, {@code destroy} and the query sandbox use it.
 */
public final class Nesting {
  private Nesting() {}

  /** True if {@code inner} is {@code outer} or lies inside it. */
  public static boolean inside(StoreLocation inner, StoreLocation outer) {
    if (inner instanceof StoreLocation.Local a && outer instanceof StoreLocation.Local b) {
      return real(a.root()).startsWith(real(b.root()));
    }
    if (inner instanceof StoreLocation.S3 a && outer instanceof StoreLocation.S3 b) {
      return inside(a.bucket(), a.prefix(), b);
    }
    return false;
  }

  /** True if {@code a} and {@code b} overlap: one is, or lies inside, the other. */
  public static boolean overlap(StoreLocation a, StoreLocation b) {
    return inside(a, b) || inside(b, a);
  }

  /**
   * True if the local entry {@code path} lies at or inside {@code outer}; a link is judged by where
   * it is, not where it points.
   */
  public static boolean inside(Path path, StoreLocation outer) {
    if (!(outer instanceof StoreLocation.Local b)) {
      return false;
    }
    Path p = path.toAbsolutePath().normalize();
    // the place of an entry is its folder's real path plus its own name: a link is where it
    // is, not where it points, and removing it never touches its target
    Path place = p.getParent() == null ? p : real(p.getParent()).resolve(p.getFileName());
    return place.startsWith(real(b.root()));
  }

  /**
   * True if the S3 object or prefix {@code key} of {@code bucket} lies at or inside {@code outer}.
   */
  public static boolean inside(String bucket, String key, StoreLocation outer) {
    if (!(outer instanceof StoreLocation.S3 b) || !b.bucket().equals(bucket)) {
      return false;
    }
    String prefix = b.prefix();
    return prefix.isEmpty() || key.equals(prefix) || key.startsWith(prefix + "/");
  }

  /**
   * The real path of a file or folder, links resolved, as far as it exists; the part that does not
   * exist yet is appended as written.
   */
  public static Path real(Path path) {
    Path p = path.toAbsolutePath().normalize();
    Path existing = p;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(p)).normalize();
    } catch (IOException e) {
      return p; // a dangling link or no permission: compare as written
    }
  }
}
