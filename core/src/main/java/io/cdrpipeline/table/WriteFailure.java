package io.cdrpipeline.table;

import io.cdrpipeline.store.ByteSize;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A failed write of a file of the table, said in one line with the file, the reason and the space
 * left on its disk (and what the file needed, when known): "No space left on device" alone does not
 * say which disk, nor how much to free.
 */
final class WriteFailure {
  private WriteFailure() {}

  /**
   * The failure of writing {@code target}; {@code needed} is the file's size, or negative when
   * unknown.
   */
  static IOException of(Path target, long needed, IOException e) {
    if (e instanceof Described) {
      return e;
    }
    String reason =
        e instanceof FileSystemException f && f.getReason() != null
            ? f.getReason()
            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    StringBuilder m = new StringBuilder("cannot write ").append(target).append(": ").append(reason);
    free(target)
        .ifPresent(
            free ->
                m.append(" (")
                    .append(ByteSize.human(free))
                    .append(" free on that disk")
                    .append(needed >= 0 ? ", the file needs " + ByteSize.human(needed) : "")
                    .append(')'));
    return new Described(m.toString(), e);
  }

  /** The space a new file at {@code target} may take, from the nearest folder that exists. */
  private static Optional<Long> free(Path target) {
    for (Path p = target.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p)) {
        try {
          return Optional.of(Files.getFileStore(p).getUsableSpace());
        } catch (IOException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** A write failure already said in full. */
  static final class Described extends IOException {
    private static final long serialVersionUID = 1L;

    Described(String message, IOException cause) {
      super(message, cause);
    }
  }
}
