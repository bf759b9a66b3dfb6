package io.cdrpipeline.notify;

import io.cdrpipeline.failure.FailureText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The topic: publishes to every subscriber, retrying each transient failure (as its notifier judges
 * it) with exponential backoff; the one retry layer of notifications (the SNS client does not retry
 * by itself). Never throws, never lets one subscriber's failure stop the others; logs each failure
 * and returns the outcomes.
 */
public final class Topic implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Topic.class);

  /** How the topic waits between attempts; tests record the waits instead of sleeping. */
  interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  private final List<Notifier> notifiers;
  private final RetryPolicy retry;
  private final Pause pause;

  public Topic(List<Notifier> notifiers, RetryPolicy retry) {
    this(notifiers, retry, d -> Thread.sleep(d.toMillis()));
  }

  Topic(List<Notifier> notifiers, RetryPolicy retry, Pause pause) {
    this.notifiers = List.copyOf(notifiers);
    this.retry = Objects.requireNonNull(retry, "retry");
    this.pause = Objects.requireNonNull(pause, "pause");
  }

  /** A topic with one notifier per subscription. */
  public static Topic of(List<Subscription> subscriptions, RetryPolicy retry) {
    return new Topic(subscriptions.stream().map(Notifiers::create).toList(), retry);
  }

  /**
   * Delivers to every subscriber and returns one outcome each, in subscriber order. Subscribers are
   * served in parallel, so one that is down and being retried does not delay the others.
   */
  public List<Delivery> publish(Notification n) {
    Objects.requireNonNull(n, "notification");
    if (notifiers.size() <= 1) {
      return notifiers.stream().map(x -> deliver(x, n, new AtomicInteger())).toList();
    }
    List<AtomicInteger> attempts = notifiers.stream().map(x -> new AtomicInteger()).toList();
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            notifiers.size(),
            r -> {
              Thread t = new Thread(r, "notify-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    List<Future<Delivery>> futures = new ArrayList<>();
    for (int i = 0; i < notifiers.size(); i++) {
      Notifier notifier = notifiers.get(i);
      AtomicInteger counter = attempts.get(i);
      futures.add(
          pool.submit(
              () -> {
                // the caller's log context (e.g. the execution id) follows the delivery
                if (mdc != null) {
                  MDC.setContextMap(mdc);
                }
                try {
                  return deliver(notifier, n, counter);
                } finally {
                  MDC.clear();
                }
              }));
    }
    pool.shutdown();
    List<Delivery> out = new ArrayList<>();
    boolean interrupted = false;
    for (int i = 0; i < futures.size(); i++) {
      Future<Delivery> f = futures.get(i);
      String who = notifiers.get(i).describe();
      Delivery d;
      try {
        d = interrupted && !f.isDone() ? stopped(who, attempts.get(i).get()) : f.get();
      } catch (InterruptedException e) {
        // the caller wants to stop: stop the retries and report what has not finished
        interrupted = true;
        pool.shutdownNow();
        d = stopped(who, attempts.get(i).get());
      } catch (ExecutionException e) {
        // deliver() catches every Exception; this is an Error thrown by a notifier
        LOG.error("Notification '{}' to {} failed unexpectedly", n.subject(), who, e.getCause());
        d = failed(who, attempts.get(i).get(), describe(e.getCause()));
      }
      out.add(d);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private Delivery deliver(Notifier notifier, Notification n, AtomicInteger attempts) {
    String who = notifier.describe();
    for (int attempt = 1; ; attempt++) {
      attempts.set(attempt);
      String why;
      boolean again;
      try {
        notifier.send(n);
        if (attempt > 1) {
          LOG.info("Notification '{}' delivered to {} on attempt {}", n.subject(), who, attempt);
        }
        return new Delivery(who, true, attempt, Optional.empty());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("Notification '{}' to {} interrupted on attempt {}", n.subject(), who, attempt);
        return failed(who, attempt, "interrupted");
      } catch (Exception e) {
        why = describe(e);
        again = notifier.isTransient(e);
        LOG.debug("Attempt {} to deliver '{}' to {} failed", attempt, n.subject(), who, e);
      }
      if (!again || attempt >= retry.attempts()) {
        LOG.error(
            "Notification '{}' not delivered to {} after {} attempt(s){}: {}",
            n.subject(),
            who,
            attempt,
            again ? "" : " (not retried: the failure is not transient)",
            why);
        return failed(who, attempt, why);
      }
      Duration wait = retry.backoffAfter(attempt);
      LOG.warn(
          "Notification '{}' to {} failed (attempt {} of {}), retrying in {} ms: {}",
          n.subject(),
          who,
          attempt,
          retry.attempts(),
          wait.toMillis(),
          why);
      try {
        pause.pause(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("Notification '{}' to {}: retries stopped, interrupted", n.subject(), who);
        return failed(who, attempt, why + " (retries stopped: interrupted)");
      }
    }
  }

  private static Delivery stopped(String who, int attempts) {
    return failed(who, attempts, "interrupted before delivery finished");
  }

  private static Delivery failed(String who, int attempts, String why) {
    return new Delivery(who, false, attempts, Optional.of(why));
  }

  /** One line: the failure's message, and its root cause when that says something more. */
  static String describe(Throwable e) {
    String top = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Throwable root = FailureText.rootCause(e);
    String text = top;
    if (root != e) {
      String cause =
          root.getClass().getSimpleName()
              + (root.getMessage() == null ? "" : ": " + root.getMessage());
      if (root.getMessage() == null || !top.contains(root.getMessage())) {
        text = top + " (" + cause + ")";
      }
    }
    return text.strip().replaceAll("\\s+", " ");
  }

  /** True when nobody is subscribed. */
  public boolean isEmpty() {
    return notifiers.isEmpty();
  }

  /** Releases what the notifiers hold (the SNS client's connections). */
  @Override
  public void close() {
    for (Notifier n : notifiers) {
      if (n instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("Closing {} failed: {}", n.describe(), describe(e));
        }
      }
    }
  }
}
