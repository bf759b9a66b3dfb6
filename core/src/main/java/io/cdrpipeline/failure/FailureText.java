package io.cdrpipeline.failure;

/**
 * A failure as one line for a person: the first line of a message, and the root cause of an
 * exception when that says more (e.g. "Connection refused" under a driver's own wording).
 */
public final class FailureText {
  /** Causes followed at most, so that a cycle of causes ends. */
  private static final int MAX_DEPTH = 50;

  private FailureText() {}

  /** The first line of a message; empty for none. */
  public static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The last of an exception's causes (the exception itself when it has none). */
  public static Throwable rootCause(Throwable e) {
    Throwable root = e;
    for (int depth = 0;
        root.getCause() != null && root.getCause() != root && depth < MAX_DEPTH;
        depth++) {
      root = root.getCause();
    }
    return root;
  }

  /** The first line of the root cause's message, or its class's name when it has none. */
  public static String rootMessage(Throwable e) {
    Throwable root = rootCause(e);
    return root.getMessage() == null
        ? root.getClass().getSimpleName()
        : firstLine(root.getMessage());
  }

  /** The first line of a failure, with its root cause's first line when that says more. */
  public static String withRootCause(Throwable e) {
    String first = firstLine(e.getMessage());
    Throwable root = rootCause(e);
    String rootLine = root == e ? "" : firstLine(root.getMessage());
    if (first.isBlank()) {
      first = e.getClass().getSimpleName();
    }
    if (rootLine.isBlank() || first.contains(rootLine)) {
      return first;
    }
    return first + " (" + rootLine + ")";
  }
}
