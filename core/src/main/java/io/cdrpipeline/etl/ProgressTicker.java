package io.cdrpipeline.etl;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Reports a day's progress to the listener four times a second until closed. */
final class ProgressTicker implements AutoCloseable {
  private final ScheduledExecutorService ticker;

  ProgressTicker(Runnable report) {
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "etl-progress");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(report, 250, 250, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
