package io.cdrpipeline.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link WatchJob#poll} every interval, at a fixed rate (a poll starts an interval after the
 * previous one started, or at once when that one took longer), until stopped. A poll that fails is
 * logged and the next one runs as planned: it settles what the failed one left.
 */
public final class WatchLoop implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WatchLoop.class);

  /** One poll, as {@link WatchJob#poll}. */
  @FunctionalInterface
  public interface Poller {
    java.util.Optional<WatchBatch> poll() throws java.io.IOException;
  }

  private final Poller job;
  private final Duration interval;
  private final Consumer<String> log;
  private final Object wake = new Object();
  private volatile boolean stopped;

  public WatchLoop(WatchJob job, Duration interval, Consumer<String> log) {
    this(Objects.requireNonNull(job, "job is null")::poll, interval, log);
  }

  /** Runs any poller (e.g. one that also counts the polls) every interval. */
  public WatchLoop(Poller job, Duration interval, Consumer<String> log) {
    this.job = Objects.requireNonNull(job, "job is null");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the watch interval must be positive, got " + interval);
    }
    this.interval = interval;
    this.log = log == null ? s -> {} : log;
  }

  @Override
  public void run() {
    long next = System.nanoTime();
    while (!stopped) {
      try {
        job.poll().ifPresent(b -> log.accept(b.describe()));
      } catch (Exception | LinkageError e) {
        LOG.warn("watch poll failed", e);
        log.accept("watch: poll failed (the next poll settles what it left): " + firstLine(e));
      }
      next += interval.toNanos();
      synchronized (wake) {
        long wait;
        while (!stopped && (wait = next - System.nanoTime()) > 0) {
          try {
            wake.wait(Math.max(1, wait / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
          }
        }
      }
      long now = System.nanoTime();
      if (now - next > interval.toNanos()) {
        next = now; // a poll longer than two intervals: no burst of catching-up polls
      }
    }
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** Stops after the poll under way, if any. */
  @Override
  public void close() {
    stopped = true;
    synchronized (wake) {
      wake.notifyAll();
    }
  }
}
