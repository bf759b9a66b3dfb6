package io.cdrpipeline.query;

import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs one query of a pipeline in its own JVM, so a test can kill it. Args: dir, memory limit, sql.
 */
public final class QueryChild {
  private QueryChild() {}

  public static void main(String[] args) {
    Pipeline p = new Pipeline(Path.of(args[0]));
    long memory = Long.parseLong(args[1].replace("MB", "")) << 20;
    try (QueryEngine q = p.query(new QueryLimits(Duration.ofMinutes(10), memory, 50L << 30))) {
      System.out.println(q.query(args[2]).rows());
    }
  }

  /** Starts the child; its output is merged into one stream. */
  public static Process start(Path dir, String sql, String memory) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            List.of(
                javaBin,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                QueryChild.class.getName(),
                dir.toString(),
                memory,
                sql))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** Waits until the child's engine has spilled a file into its folder, and returns the folder. */
  public static Path awaitSpilling(Path tmpRoot, Process child) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (Instant.now().isBefore(deadline)) {
      if (!child.isAlive()) {
        throw new AssertionError("the query ended before it spilled, exit " + child.exitValue());
      }
      Optional<Path> spilling =
          folders(tmpRoot).stream().filter(QueryChild::holdsTempFiles).findFirst();
      if (spilling.isPresent()) {
        return spilling.get();
      }
      Thread.sleep(50); // polling for a condition, with a deadline
    }
    throw new AssertionError("the query did not spill within 120 s");
  }

  private static List<Path> folders(Path tmpRoot) throws Exception {
    if (!Files.isDirectory(tmpRoot)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tmpRoot)) {
      return s.filter(f -> f.getFileName().toString().startsWith("query-") && Files.isDirectory(f))
          .toList();
    }
  }

  private static boolean holdsTempFiles(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.anyMatch(f -> f.getFileName().toString().startsWith("duckdb_temp"));
    } catch (Exception e) {
      return false;
    }
  }
}
