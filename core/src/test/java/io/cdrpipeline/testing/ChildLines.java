package io.cdrpipeline.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The output of a child process, read line by line as it comes, so a test can wait for a line. */
public final class ChildLines {
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  public ChildLines(Process process) {
    this.process = process;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                  }
                }
              } catch (IOException ignored) {
                // the process is gone
              }
            },
            "child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Waits for a line matching the predicate; fails with the output so far when the child ends or
   * the deadline passes.
   */
  public String await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (wanted.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
          throw new AssertionError(
              "the child did not print the line wanted; its output:\n" + String.join("\n", tail()));
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
      }
    }
  }

  /** Waits for the child to end; returns its exit code. */
  public int exit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "the child did not end in " + timeout + "; its output:\n" + String.join("\n", tail()));
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /** The output so far, without progress lines. */
  public List<String> tail() {
    synchronized (lines) {
      return lines.stream().filter(l -> !l.startsWith("progress ")).toList();
    }
  }

  /** Kills the child if it still runs. */
  public void kill() {
    process.destroyForcibly();
  }
}
