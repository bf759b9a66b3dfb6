package io.cdrpipeline.app.context;

import io.cdrpipeline.etl.DaySummary;
import io.cdrpipeline.etl.EtlListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows ETL progress: a progress bar per day on a terminal, a plain line every few seconds
 * otherwise (logs, CI, pipes).
 */
public final class ConsoleProgress implements EtlListener {
  private final PrintStream err;
  private final boolean terminal;
  private ProgressBar bar;
  private Instant lastLine = Instant.EPOCH;

  public ConsoleProgress(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  public static boolean isTerminal() {
    return System.console() != null && !"true".equalsIgnoreCase(System.getenv("CI"));
  }

  @Override
  public synchronized void dayStarted(LocalDate day) {
    if (terminal) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(day.toString())
              .setInitialMax(-1)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(200)
              .setUnit(" files", 1)
              .showSpeed()
              .continuousUpdate()
              .build();
    } else {
      lastLine = Instant.now();
    }
  }

  @Override
  public synchronized void progress(LocalDate day, long done, long listed, boolean listingDone) {
    if (bar != null) {
      bar.maxHint(listingDone ? listed : Math.max(listed, done));
      bar.stepTo(done);
    } else if (Duration.between(lastLine, Instant.now()).toSeconds() >= 5) {
      lastLine = Instant.now();
      err.printf("%s: %d of %d%s files processed%n", day, done, listed, listingDone ? "" : "+");
    }
  }

  @Override
  public synchronized void dayFinished(DaySummary s) {
    if (bar != null) {
      if (!s.skipped()) {
        bar.maxHint(s.filesRead());
        bar.stepTo(s.filesRead());
      }
      bar.close();
      bar = null;
    }
  }

  @Override
  public synchronized void message(String text) {
    err.println(text);
  }
}
