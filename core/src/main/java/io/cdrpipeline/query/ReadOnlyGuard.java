package io.cdrpipeline.query;

import java.util.Locale;
import java.util.Set;

/**
 * Lets through one read-only statement (SELECT and friends) and refuses everything else, so a
 * query can neither change files nor settings.
 */
final class ReadOnlyGuard {
  private static final Set<String> ALLOWED = Set.of(
      "SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "DESC", "SHOW", "EXPLAIN", "SUMMARIZE",
      "PIVOT", "UNPIVOT", "(");

  /** Keywords that start a statement that is not read-only. */
  private static final Set<String> STATEMENTS = Set.of(
      "DROP", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "COPY", "ATTACH", "DETACH", "INSTALL", "LOAD",
      "SET", "RESET", "PRAGMA", "CALL", "USE", "EXPORT", "IMPORT", "CHECKPOINT", "VACUUM", "BEGIN", "COMMIT",
      "ROLLBACK", "TRUNCATE", "MERGE", "PREPARE", "EXECUTE", "DEALLOCATE");

  private ReadOnlyGuard() {}

  /** Throws a {@link QueryException} unless the text is one read-only statement. */
  static void check(String sql) {
    String body = stripComments(sql).trim();
    while (body.endsWith(";")) {
      body = body.substring(0, body.length() - 1).trim();
    }
    if (body.isEmpty()) {
      throw new QueryException("empty query", null);
    }
    if (body.indexOf(';') >= 0) {
      // Refused wherever it stands, even inside a literal: string and comment syntax has
      // corners (dollar quotes, E'' escapes) where a scanner and DuckDB could disagree.
      throw new QueryException("only one statement per query is allowed: remove the ';' (in a string use chr(59))", null);
    }
    String first = body.startsWith("(") ? "(" : body.split("[\\s(]", 2)[0].toUpperCase(Locale.ROOT);
    if (!ALLOWED.contains(first)) {
      throw new QueryException("only read-only queries are allowed (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN, SUMMARIZE); got " + first, null);
    }
    String rest = body.substring(first.length()).replaceFirst("(?i)^\\s*ANALYZE\\b", "").trim();
    if (first.equals("EXPLAIN")) {
      check(rest); // EXPLAIN ANALYZE runs its statement
    } else if (first.equals("DESCRIBE") || first.equals("DESC") || first.equals("SUMMARIZE")) {
      String next = rest.isEmpty() ? "" : rest.startsWith("(") ? "(" : rest.split("[\\s(]", 2)[0].toUpperCase(Locale.ROOT);
      if (ALLOWED.contains(next) || STATEMENTS.contains(next)) {
        check(rest); // a statement; otherwise a table name
      }
    }
  }

  static String stripComments(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        int end = closing(sql, i, c);
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        while (i < sql.length() && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
          i++;
        }
        out.append(' ');
      } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? sql.length() : end + 2;
        out.append(' ');
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The index after the literal or quoted name that opens at {@code start}. */
  private static int closing(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }
}
