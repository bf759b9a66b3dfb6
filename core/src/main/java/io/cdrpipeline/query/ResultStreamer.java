package io.cdrpipeline.query;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an engine's statements one at a time and streams their rows to a sink: each is stopped at
 * the time limit, and the one running now may be stopped from another thread.
 */
final class ResultStreamer {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "query-timeout");
            t.setDaemon(true);
            return t;
          });

  private final QueryLimits limits;

  /** The statement running now, so that another thread may stop it. */
  private volatile Statement running;

  ResultStreamer(QueryLimits limits) {
    this.limits = limits;
  }

  /**
   * Runs the query's statement, bounded ({@link BoundedQuery}) when {@code maxBytes} is finite and
   * it is not an {@code EXPLAIN}, and streams its header and rows to the sink.
   */
  void stream(Connection duck, ReadOnlyQuery query, QuerySink sink, long maxRows, long maxBytes)
      throws SQLException, IOException {
    boolean bounded = maxBytes < Long.MAX_VALUE && !query.explain();
    String text = bounded ? BoundedQuery.wrap(query.sql(), maxRows, maxBytes) : query.sql();
    try (PreparedStatement s = duck.prepareStatement(text)) {
      ResultSetMetaData md = s.getMetaData();
      int n = md.getColumnCount();
      List<String> names = new ArrayList<>(n);
      List<String> types = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        names.add(md.getColumnLabel(i));
        types.add(md.getColumnTypeName(i));
      }
      if (bounded && BoundedQuery.renamed(names)) {
        names =
            BoundedQuery.labels(
                duck,
                query.sql()); // query() renames a column whose name came before; the user's are
        // these
      }
      AtomicBoolean timedOut = new AtomicBoolean();
      ScheduledFuture<?> timer =
          TIMER.schedule(
              () -> {
                timedOut.set(true);
                try {
                  s.cancel();
                } catch (SQLException ignored) {
                  // the statement ended meanwhile
                }
              },
              limits.timeout().toMillis(),
              TimeUnit.MILLISECONDS);
      running = s;
      try (ResultSet rs = s.executeQuery()) {
        sink.header(names, types);
        while (rs.next()) {
          List<Object> row = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            row.add(rs.getObject(i));
          }
          sink.row(row);
        }
        sink.end();
      } catch (SQLException e) {
        if (timedOut.get()) {
          throw new QueryException(
              "the query took longer than "
                  + describe(limits.timeout())
                  + " and was stopped (query.timeout)",
              e);
        }
        throw e;
      } finally {
        running = null;
        timer.cancel(false);
      }
    }
  }

  /** Stops the statement running now, if one is: it ends with a {@link QueryException}. */
  void cancel() {
    Statement s = running;
    if (s != null) {
      try {
        s.cancel();
      } catch (SQLException ignored) {
        // it ended meanwhile
      }
    }
  }

  private static String describe(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
