package io.cdrpipeline.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Ending the processes a test started: a test returns only once they are gone. */
public final class Processes {
  private Processes() {}

  /**
   * Sends SIGTERM, waits up to {@code grace} for the process to end, then kills it; returns only
   * once it is gone, so nothing it runs writes into the test's folder afterwards. True if it ended
   * on SIGTERM.
   */
  public static boolean stop(Process process, Duration grace) throws InterruptedException {
    process.destroy();
    if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    process.destroyForcibly();
    process.waitFor();
    return false;
  }

  /** Kills the process (SIGKILL) and returns once it is gone. */
  public static void kill(Process process) throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }
}
