package io.cdrpipeline.app.web;

import io.cdrpipeline.config.ApiQueryLimits;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryException;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.query.QuerySink;
import io.cdrpipeline.query.ResultTooLargeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queries of the HTTP API: each request on a DuckDB engine of its own (never one shared mutable
 * engine), at most {@code permits} at once so memory stays bounded, each within the API's time, row
 * and byte limits, each timed into the metrics. A request that finds every engine taken waits a
 * little, with at most as many others as there are engines; beyond that it is refused at once, so a
 * burst of requests never holds the server's threads (the health check and the shutdown keep
 * theirs).
 */
final class ApiQueries {
  /** How long a request waits for a free engine before it is told to come back. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /** Opens a fresh engine with the API's limits. */
  @FunctionalInterface
  interface Engines {
    QueryEngine open() throws IOException;
  }

  /** Work on one engine. */
  @FunctionalInterface
  interface Work<T> {
    T apply(QueryEngine engine) throws IOException;
  }

  /** Every engine is taken: the client may try again. */
  static final class Busy extends Exception {
    private static final long serialVersionUID = 1L;

    Busy(String message) {
      super(message);
    }
  }

  /** A result cut at the row limit. */
  record Limited(QueryResult result, boolean truncated) {}

  private final Engines engines;
  private final ApiQueryLimits limits;
  private final ConsoleMetrics metrics;
  private final int size;
  private final Semaphore permits;
  private final AtomicInteger waiting = new AtomicInteger();
  private final Set<QueryEngine> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  ApiQueries(Engines engines, ApiQueryLimits limits, ConsoleMetrics metrics, int permits) {
    this.engines = Objects.requireNonNull(engines, "engines is null");
    this.limits = Objects.requireNonNull(limits, "limits is null");
    this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be positive, got " + permits);
    }
    this.size = permits;
    this.permits = new Semaphore(permits, true);
  }

  /**
   * Queries at once: {@code query.apiConcurrency}, else the cores up to 4, and no more than the
   * Java heap holds at four times {@code query.resultLimit} each (an answer is held whole).
   */
  static int concurrency(ApiQueryLimits limits, long resultBytes, int cores, long maxHeap) {
    if (limits.concurrency().isPresent()) {
      return limits.concurrency().getAsInt();
    }
    long byHeap = maxHeap / (4 * resultBytes);
    return (int) Math.max(1, Math.min(Math.min(4, cores), byHeap));
  }

  ApiQueryLimits limits() {
    return limits;
  }

  /**
   * Runs work on a fresh engine, closed after. Waits for a free engine at most {@link #WAIT}, and
   * only if no more than {@code size} requests wait already; else {@link Busy}.
   */
  <T> T with(String endpoint, Work<T> work) throws IOException, Busy {
    if (closed) {
      throw new Busy(STOPPING);
    }
    boolean got = permits.tryAcquire();
    if (!got) {
      if (waiting.incrementAndGet() > size) {
        waiting.decrementAndGet();
        throw new Busy(busy());
      }
      try {
        got = permits.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Busy("interrupted while waiting for a free query engine");
      } finally {
        waiting.decrementAndGet();
      }
      if (!got) {
        throw new Busy(busy());
      }
    }
    long start = System.nanoTime();
    String outcome = "error";
    try (QueryEngine engine = engines.open()) {
      running.add(engine);
      try {
        T result = work.apply(engine);
        outcome = "ok";
        return result;
      } finally {
        running.remove(engine);
      }
    } catch (ResultTooLargeException e) {
      throw e;
    } catch (QueryException e) {
      if (closed) {
        throw new Busy(STOPPING);
      }
      // the engine names the command line's key; here the API's limit applies
      throw new QueryException(e.getMessage().replace("(query.timeout)", "(query.apiTimeout)"), e);
    } finally {
      permits.release();
      metrics.query(endpoint, outcome, System.nanoTime() - start);
    }
  }

  /**
   * Refuses new queries and stops the running ones, so that a stopping service does not wait for
   * them (their clients get 503 and may try the next service).
   */
  void close() {
    closed = true;
    for (QueryEngine e : running) {
      e.cancel();
    }
  }

  private static final String STOPPING = "the service is stopping: try again shortly";

  private String busy() {
    return "every query engine is busy ("
        + size
        + " queries at once, query.apiConcurrency): try again shortly";
  }

  /**
   * The rows of one statement, at most the row limit of them, and at most {@code query.resultLimit}
   * bytes of text (else {@link ResultTooLargeException}, before any of it is read).
   */
  static Limited limited(QueryEngine engine, String sql, int rowLimit) throws IOException {
    List<String>[] header = new List[2];
    List<List<Object>> rows = new ArrayList<>();
    boolean[] truncated = {false};
    try {
      engine.streamBounded(
          sql,
          rowLimit + 1L,
          new QuerySink() {
            @Override
            public void header(List<String> columns, List<String> types) {
              header[0] = columns;
              header[1] = types;
            }

            @Override
            public void row(List<Object> values) throws IOException {
              if (rows.size() == rowLimit) {
                truncated[0] = true;
                throw new RowLimitReached();
              }
              rows.add(values);
            }
          });
    } catch (RowLimitReached e) {
      // the statement is closed: nothing more is read
    }
    return new Limited(new QueryResult(header[0], header[1], rows), truncated[0]);
  }

  /** Stops reading rows once the limit is reached (a sink can only stop a stream by throwing). */
  private static final class RowLimitReached extends IOException {
    private static final long serialVersionUID = 1L;

    RowLimitReached() {
      super("row limit reached", null);
    }
  }
}
