package io.cdrpipeline.app.spark;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows a Spark application's state while {@code cdr etl} waits for it: on a terminal one line kept
 * up to date, else a line for each new state.
 */
public final class SparkProgressLine implements SparkEtl.Progress {
  private final PrintStream err;
  private final boolean terminal;
  private String last;
  private boolean open;

  public SparkProgressLine(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public synchronized void state(SparkSubmission.Record s, String state, Duration elapsed) {
    String line = "spark: application " + s.name() + " " + state;
    if (terminal) {
      err.print("\r" + line + " " + elapsed.toSeconds() + " s\u001b[K");
      err.flush();
      open = true;
    } else if (!line.equals(last)) {
      err.println(line + " (" + elapsed.toSeconds() + " s)");
    }
    last = line;
  }

  @Override
  public synchronized void message(String text) {
    end();
    err.println("spark: " + text);
  }

  /** Ends the line kept up to date, if there is one. */
  public synchronized void end() {
    if (open) {
      err.println();
      open = false;
    }
  }
}
