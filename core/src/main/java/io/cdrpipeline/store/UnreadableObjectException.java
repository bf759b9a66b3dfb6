package io.cdrpipeline.store;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * An object that is listed but cannot be read as one: larger than the reader's limit, not a regular
 * file (a link, pipe, socket or device in a folder), or not permitted. The message is one line
 * saying which; the run goes on without the object.
 */
public final class UnreadableObjectException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Why the object cannot be read. */
  public enum Kind {
    /** Larger than the limit the reader gave; {@link #size()} is its size. */
    TOO_LARGE,
    /** A symbolic link or a special file of a local folder: never followed or opened. */
    NOT_A_FILE,
    /** The store refuses to let it be read; reading it again may work once that is fixed. */
    NOT_PERMITTED
  }

  private final String key;
  private final Kind kind;
  private final long size;

  public UnreadableObjectException(String key, Kind kind, long size, String reason) {
    super(reason);
    this.key = Objects.requireNonNull(key, "key is null");
    this.kind = Objects.requireNonNull(kind, "kind is null");
    this.size = size;
  }

  /** An object larger than the reader's limit. */
  public static UnreadableObjectException tooLarge(String key, long size, long limit) {
    return new UnreadableObjectException(key, Kind.TOO_LARGE, size, tooLargeReason(size, limit));
  }

  /** The one-line reason for an object of {@code size} bytes over a limit. */
  public static String tooLargeReason(long size, long limit) {
    return String.format(Locale.ROOT, "file too large: %,d bytes (the limit is %,d)", size, limit);
  }

  public String key() {
    return key;
  }

  public Kind kind() {
    return kind;
  }

  /** The object's size in bytes, or -1 if not known. */
  public long size() {
    return size;
  }
}
