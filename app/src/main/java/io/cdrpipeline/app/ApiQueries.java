package io.cdrpipeline.app;

import io.cdrpipeline.config.ApiQueryLimits;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryException;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.query.QuerySink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The queries of the HTTP API: each request on a DuckDB engine of its own (never one shared
 * mutable engine), at most {@code permits} at once so memory stays bounded, each within the
 * API's time and row limits, each timed into the metrics.
 */
final class ApiQueries {
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
  private final Semaphore permits;

  ApiQueries(Engines engines, ApiQueryLimits limits, ConsoleMetrics metrics, int permits) {
    this.engines = Objects.requireNonNull(engines, "engines is null");
    this.limits = Objects.requireNonNull(limits, "limits is null");
    this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be positive, got " + permits);
    }
    this.permits = new Semaphore(permits, true);
  }

  ApiQueryLimits limits() {
    return limits;
  }

  /** Runs work on a fresh engine, closed after; waits for a free engine at most the query timeout. */
  <T> T with(String endpoint, Work<T> work) throws IOException, Busy {
    boolean got;
    try {
      got = permits.tryAcquire(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Busy("interrupted while waiting for a free query engine");
    }
    if (!got) {
      throw new Busy("every query engine is busy: try again shortly");
    }
    long start = System.nanoTime();
    String outcome = "error";
    try (QueryEngine engine = engines.open()) {
      T result = work.apply(engine);
      outcome = "ok";
      return result;
    } catch (QueryException e) {
      // the engine names the command line's key; here the API's limit applies
      throw new QueryException(e.getMessage().replace("(query.timeout)", "(query.apiTimeout)"), e);
    } finally {
      permits.release();
      metrics.query(endpoint, outcome, System.nanoTime() - start);
    }
  }

  /** The rows of one statement, at most the row limit of them. */
  static Limited limited(QueryEngine engine, String sql, int rowLimit) throws IOException {
    List<String>[] header = new List[2];
    List<List<Object>> rows = new ArrayList<>();
    boolean[] truncated = {false};
    try {
      engine.stream(sql, new QuerySink() {
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
