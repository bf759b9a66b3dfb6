package io.cdrpipeline.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts a file written aside in place only if nothing is there yet: a hard link fails when the
 * target appeared meanwhile, where a rename would replace it. Where the file system has no hard
 * links, a move after a check is the fallback (a narrow race, but nothing else exists there).
 */
public final class CreateOnce {
  private CreateOnce() {}

  /**
   * Makes {@code target} the file written at {@code written} (which the caller deletes after);
   * throws FileAlreadyExistsException when {@code target} exists.
   */
  public static void link(Path written, Path target) throws IOException {
    try {
      Files.createLink(target, written);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | IOException noLinks) {
      if (Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      Files.move(written, target);
    }
  }
}
