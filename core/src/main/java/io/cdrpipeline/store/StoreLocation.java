package io.cdrpipeline.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/** Where a bucket lives: a local folder or an S3 bucket with an optional key prefix. */
public sealed interface StoreLocation permits StoreLocation.Local, StoreLocation.S3 {

  /**
   * Parses {@code s3://bucket[/prefix]} (or {@code s3a://bucket[/prefix]}, Hadoop's name of the
   * same bucket, which means the same) or a folder path, relative paths against {@code base}.
   */
  static StoreLocation parse(String value, Path base) {
    Objects.requireNonNull(value, "value");
    String v = value.trim();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("location must not be empty");
    }
    int scheme =
        v.regionMatches(true, 0, "s3://", 0, 5)
            ? 5
            : v.regionMatches(true, 0, "s3a://", 0, 6) ? 6 : 0;
    if (scheme > 0) {
      String rest = v.substring(scheme);
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : rest.substring(slash + 1);
      if (!bucket.matches("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]")) {
        throw new IllegalArgumentException(
            "invalid S3 bucket name '" + bucket + "' in '" + value + "'");
      }
      while (prefix.endsWith("/")) {
        prefix = prefix.substring(0, prefix.length() - 1);
      }
      return new S3(bucket, prefix);
    }
    if (v.startsWith("file://")) {
      return new Local(Path.of(URI.create(v)).toAbsolutePath().normalize());
    }
    Path p = Path.of(v.startsWith("~/") ? System.getProperty("user.home") + v.substring(1) : v);
    return new Local(base.resolve(p).toAbsolutePath().normalize());
  }

  /** A display form: the folder path or the {@code s3://} URI. */
  String display();

  /** A local folder. */
  record Local(Path root) implements StoreLocation {
    public Local {
      Objects.requireNonNull(root, "root");
    }

    @Override
    public String display() {
      return root.toString();
    }
  }

  /** An S3 bucket and a key prefix without leading or trailing slash (may be empty). */
  record S3(String bucket, String prefix) implements StoreLocation {
    public S3 {
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public String display() {
      return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
  }
}
