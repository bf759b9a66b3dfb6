package io.cdrpipeline.query;

import io.cdrpipeline.duckdb.DuckDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement whose result DuckDB bounds in rows and bytes before any of it reaches this JVM, and
 * the user's own column names of it.
 */
final class BoundedQuery {
  /**
   * What DuckDB says when a bounded result passes its bytes (our error(), raised inside the
   * statement).
   */
  private static final String RESULT_LIMIT = "cdr: the result passed its byte limit";

  private BoundedQuery() {}

  /** True when the statement failed because its result passed its byte limit. */
  static boolean passedLimit(SQLException e) {
    return e.getMessage() != null && e.getMessage().contains(RESULT_LIMIT);
  }

  /**
   * The statement as DuckDB runs it bounded: the user's text through {@code query()} (so its shape
   * is untouched), each row's text counted by a streaming window, an error raised inside DuckDB the
   * moment the sum passes the bytes, and no row read past {@code maxRows}.
   */
  static String wrap(String sql, long maxRows, long maxBytes) {
    return "SELECT * FROM query("
        + DuckDb.literal(sql)
        + ") AS cdr_result"
        + " WINDOW cdr_rows AS (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        + " QUALIFY CASE WHEN count(*) OVER cdr_rows > "
        + maxRows
        + " THEN false"
        + " WHEN sum(strlen(CAST(cdr_result AS VARCHAR))) OVER cdr_rows > "
        + maxBytes
        + " THEN error("
        + DuckDb.literal(RESULT_LIMIT)
        + ") ELSE true END"
        + (maxRows < Long.MAX_VALUE ? " LIMIT " + maxRows : "");
  }

  /**
   * True if a name looks like one {@code query()} made of a name before it ({@code a}, {@code
   * a_1}).
   */
  static boolean renamed(List<String> names) {
    for (int i = 1; i < names.size(); i++) {
      int us = names.get(i).lastIndexOf('_');
      if (us > 0
          && names.get(i).substring(us + 1).matches("\\d+")
          && names.subList(0, i).contains(names.get(i).substring(0, us))) {
        return true;
      }
    }
    return false;
  }

  /** The column names of a statement, as DuckDB binds it (nothing runs). */
  static List<String> labels(Connection duck, String sql) throws SQLException {
    try (PreparedStatement p = duck.prepareStatement(sql)) {
      ResultSetMetaData md = p.getMetaData();
      List<String> names = new ArrayList<>(md.getColumnCount());
      for (int i = 1; i <= md.getColumnCount(); i++) {
        names.add(md.getColumnLabel(i));
      }
      return names;
    }
  }
}
