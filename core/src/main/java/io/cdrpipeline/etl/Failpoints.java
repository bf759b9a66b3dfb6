package io.cdrpipeline.etl;

/**
 * Named points where a run can be made to die abruptly, to prove crash safety. Inactive unless
 * the system property {@code cdr.failpoint} names the point; then the process halts there
 * without running shutdown hooks, as a kill -9 would.
 */
public final class Failpoints {
  private Failpoints() {}

  /** Halts the process if this point is armed. */
  public static void hit(String name) {
    String armed = System.getProperty("cdr.failpoint");
    if (armed != null && armed.equals(name)) {
      System.err.println("failpoint " + name + " reached: halting");
      System.err.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
