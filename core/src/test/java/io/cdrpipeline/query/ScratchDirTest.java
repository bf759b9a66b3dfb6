package io.cdrpipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirTest {
  @TempDir Path tmp;

  /**
   * Making a second folder looks for abandoned ones; it must not open the first one's lock file,
   * since closing that would drop this process's lock on it, and another process would then remove
   * a live folder.
   */
  @Test
  void anotherProcessLeavesTheFolderOfALiveOwnerAfterThisProcessMadeASecondOne() throws Exception {
    try (ScratchDir first = ScratchDir.create(tmp, "query");
        ScratchDir second = ScratchDir.create(tmp, "query")) {
      assertThat(removeAbandonedInAnotherProcess()).isZero();
      assertThat(first.path()).isDirectory();
      assertThat(second.path()).isDirectory();
    }
    try (var left = Files.list(tmp)) {
      assertThat(left.toList()).as("closing removes both folders and their locks").isEmpty();
    }
  }

  @Test
  void anotherProcessRemovesTheFolderOfAGoneOwner() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("query-1-abandoned"));
    Files.createFile(tmp.resolve("query-1-abandoned.lock"));
    assertThat(removeAbandonedInAnotherProcess()).isZero();
    assertThat(dir).doesNotExist();
  }

  private int removeAbandonedInAnotherProcess() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx64m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    RemoveAbandoned.class.getName(),
                    tmp.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the other process ends").isTrue();
    return p.exitValue();
  }

  /** Another process: looks for abandoned folders once. */
  static final class RemoveAbandoned {
    public static void main(String[] args) {
      ScratchDir.removeAbandoned(Path.of(args[0]), "query");
    }
  }
}
