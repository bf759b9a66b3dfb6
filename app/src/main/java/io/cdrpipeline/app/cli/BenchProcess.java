package io.cdrpipeline.app.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A measured child process of the benchmarks: the same JVM, class path and launcher options as this
 * one.
 */
final class BenchProcess {
  private BenchProcess() {}

  /**
   * {@code java -Xmx<heap> <launcher options> -cp <this class path>}: what a command line of cdr
   * would run.
   */
  static List<String> jvm(String heap) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // the launcher's GC, class-data archive and logging, so a child starts as `cdr` does
      if (a.startsWith("-XX:+Use") && a.endsWith("GC")
          || a.startsWith("-XX:SharedArchiveFile")
          || a.startsWith("-Xlog")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    return cmd;
  }

  /**
   * {@link #jvm} with the quick compiler only, as the {@code cdr} launcher starts the commands
   * whose work runs in DuckDB (query, report): for them, and for DuckDB alone measured against
   * them.
   */
  static List<String> quickJvm(String heap) {
    List<String> cmd = jvm(heap);
    cmd.add(1, "-XX:TieredStopAtLevel=1");
    return cmd;
  }

  /**
   * Runs a command in a folder and returns its output; a non-zero exit is an IOException with the
   * output.
   */
  static String run(List<String> cmd, Path folder) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd).directory(folder.toFile()).redirectErrorStream(true);
    pb.environment().put("CI", "true");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    if (code != 0) {
      throw new IOException(
          String.join(" ", cmd.subList(Math.max(0, cmd.size() - 3), cmd.size()))
              + " failed (exit "
              + code
              + "): "
              + output);
    }
    return output;
  }

  /** Seconds of the fastest of three runs. */
  static double bestOf3(List<String> cmd, Path folder) throws IOException, InterruptedException {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      run(cmd, folder);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  /** Deletes a folder and everything in it, if it is there. */
  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
