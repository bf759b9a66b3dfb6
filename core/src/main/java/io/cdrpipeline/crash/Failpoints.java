package io.cdrpipeline.crash;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named points where a run can be made to die abruptly, to prove crash safety. Inactive unless the
 * system property {@code cdr.failpoint} names the point, as {@code name[@n][:pause]}: on the n-th
 * hit (default the first) the process halts without running shutdown hooks, as a kill -9 would, or
 * with {@code :pause} prints {@code failpoint <name> paused} and waits to be killed from outside,
 * or with {@code :fail} throws an exception there (a task of a cluster that fails while the process
 * lives on). A write point armed with {@code :nospace} fails from the n-th hit on, as a full disk
 * does (it stays full), with the JDK's own {@code IOException("No space left on device")}.
 */
public final class Failpoints {
  private static final String ARMED = System.getProperty("cdr.failpoint");
  private static final String NAME;
  private static final long AT;
  private static final boolean PAUSE;
  private static final boolean FAIL;
  private static final boolean NO_SPACE;
  private static final AtomicLong HITS = new AtomicLong();

  static {
    String spec = ARMED == null ? "" : ARMED;
    boolean pause = spec.endsWith(":pause");
    if (pause) {
      spec = spec.substring(0, spec.length() - ":pause".length());
    }
    boolean noSpace = spec.endsWith(":nospace");
    if (noSpace) {
      spec = spec.substring(0, spec.length() - ":nospace".length());
    }
    boolean fail = spec.endsWith(":fail");
    if (fail) {
      spec = spec.substring(0, spec.length() - ":fail".length());
    }
    long at = 1;
    int atSign = spec.indexOf('@');
    if (atSign >= 0) {
      at = Long.parseLong(spec.substring(atSign + 1));
      spec = spec.substring(0, atSign);
    }
    NAME = spec;
    AT = at;
    PAUSE = pause;
    FAIL = fail;
    NO_SPACE = noSpace;
  }

  private Failpoints() {}

  /**
   * A write: fails as on a full disk from the n-th hit on if this point is armed with {@code
   * :nospace}; otherwise as {@link #hit}.
   */
  public static void write(String name) throws IOException {
    if (ARMED != null && NO_SPACE && NAME.equals(name)) {
      if (HITS.incrementAndGet() >= AT) {
        throw new IOException("No space left on device");
      }
      return;
    }
    hit(name);
  }

  /** Halts or pauses the process if this point is armed and its hit count is reached. */
  public static void hit(String name) {
    if (ARMED == null || NO_SPACE || !NAME.equals(name) || HITS.incrementAndGet() != AT) {
      return;
    }
    if (FAIL) {
      throw new IllegalStateException("failpoint " + name + " reached");
    }
    if (PAUSE) {
      System.out.println("failpoint " + name + " paused");
      System.out.flush();
      while (true) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    System.err.println("failpoint " + name + " reached: halting");
    System.err.flush();
    Runtime.getRuntime().halt(137);
  }
}
