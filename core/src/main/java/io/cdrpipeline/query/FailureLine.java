package io.cdrpipeline.query;

import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.ProcessedSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one line a user reads when a statement fails: DuckDB's words, or ours where they say more.
 */
final class FailureLine {
  private static final Pattern NO_TABLE =
      Pattern.compile("Catalog Error: Table with name (\\S+) does not exist!");

  private final String database;
  private final QueryLimits limits;

  FailureLine(String database, QueryLimits limits) {
    this.database = database;
    this.limits = limits;
  }

  /** The one-line failure of a statement; {@code duck} (may be null) names a near table. */
  RuntimeException of(Connection duck, SQLException e, long maxBytes) {
    if (BoundedQuery.passedLimit(e)) {
      return new ResultTooLargeException(maxBytes, e);
    }
    String line = missingTable(duck, e).orElseGet(() -> describe(e));
    if (line.startsWith("Out of Memory Error")) {
      line +=
          " (a query may use query.memoryLimit = "
              + limits.memoryBytes()
              + " bytes of memory and "
              + "query.maxTempSize = "
              + limits.maxTempBytes()
              + " bytes of temporary files)";
    }
    return new QueryException(line, e);
  }

  /**
   * A table that does not exist, named with the tables there are: DuckDB's own "did you mean" looks
   * among its system tables too (it suggests pg_sequences for nosuch), and names the nearest table
   * however far it is. Here a table of ours is suggested only when the name is a slip of it (a few
   * letters off, by DuckDB's Levenshtein distance).
   */
  private Optional<String> missingTable(Connection duck, SQLException e) {
    Matcher missing = NO_TABLE.matcher(e.getMessage() == null ? "" : e.getMessage());
    if (!missing.find()) {
      return Optional.empty();
    }
    String name = missing.group(1);
    List<String> tables =
        List.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE, ProcessedSchema.QUARANTINE_TABLE);
    String near = null;
    String values =
        tables.stream().map(t -> "(" + DuckDb.literal(t) + ")").collect(Collectors.joining(", "));
    try (PreparedStatement ps =
        duck == null
            ? null
            : duck.prepareStatement(
                "SELECT t FROM (VALUES "
                    + values
                    + ") v(t) "
                    + "WHERE levenshtein(lower(?), t) <= greatest(2, length(t) // 5) ORDER BY levenshtein(lower(?), t), t LIMIT 1")) {
      if (ps == null) {
        throw new SQLException("no connection");
      }
      ps.setString(1, name);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        near = rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException | RuntimeException noSuggestion) {
      // the line says which tables there are anyway
    }
    return Optional.of(
        "no table "
            + name
            + (near == null ? "" : " (did you mean " + near + "?)")
            + "; the tables are "
            + String.join(", ", tables)
            + (TableViews.isMain(database)
                ? ""
                : " (also under the database name, e.g. "
                    + database
                    + "."
                    + ProcessedSchema.TABLE
                    + ")"));
  }

  /** One line for the user: DuckDB's first line, plus its suggestion if it made one. */
  static String describe(SQLException e) {
    String m = e.getMessage() == null ? "query failed" : e.getMessage();
    String[] lines = m.split("\n");
    StringBuilder b = new StringBuilder(lines[0].trim());
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i].trim();
      if (l.toLowerCase(Locale.ROOT).startsWith("did you mean")) {
        b.append(' ').append(l);
      }
    }
    return b.toString();
  }
}
