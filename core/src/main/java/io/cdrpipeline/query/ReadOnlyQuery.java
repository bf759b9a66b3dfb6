package io.cdrpipeline.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.failure.FailureText;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One statement a user may run, as DuckDB's own parser sees it: a single SELECT (which covers WITH,
 * FROM-first, VALUES, TABLE, DESCRIBE, SHOW and SUMMARIZE, all parsed as a SELECT), or {@code
 * EXPLAIN [ANALYZE]} of one. Anything else, or more than one statement, is refused.
 *
 * <p>What runs is always text the parser accepted as exactly one SELECT: the user's own text, or
 * {@code EXPLAIN [ANALYZE] } followed by the part of it that was checked. DuckDB's sandbox settings
 * (see {@link QueryEngine}) stop file and setting access on top of this.
 */
public final class ReadOnlyQuery {
  private static final ObjectMapper JSON = new ObjectMapper();
  // EXPLAIN's own options, the only text taken apart here; what follows must parse as one SELECT
  private static final Pattern EXPLAIN =
      Pattern.compile(
          "(?is)\\A\\s*EXPLAIN(?:\\s+(ANALY[SZ]E)|\\s*\\(\\s*(ANALY[SZ]E)\\s*\\))?\\s+(.+)\\z");
  private static final Pattern PIVOT = Pattern.compile("(?i)\\bPIVOT(_WIDER)?\\b");
  private static final Set<String> WHOLE_TABLE_FUNCTIONS = Set.of("query", "query_table");

  private final String sql;
  private final JsonNode select;
  private final boolean explain;

  private ReadOnlyQuery(String sql, JsonNode select, boolean explain) {
    this.sql = sql;
    this.select = select;
    this.explain = explain;
  }

  /** True for {@code EXPLAIN [ANALYZE]}: its answer is a plan, not the rows of the SELECT. */
  public boolean explain() {
    return explain;
  }

  /** The text to execute. */
  public String sql() {
    return sql;
  }

  /** The parse tree of the one SELECT (DuckDB's {@code json_serialize_sql} form). */
  public JsonNode select() {
    return select;
  }

  /**
   * Classifies {@code text} with DuckDB's parser on {@code duck}. Throws a {@link QueryException}
   * with one line for an empty text, a syntax error, several statements, or one that is not
   * read-only.
   */
  public static ReadOnlyQuery parse(Connection duck, String text) {
    Objects.requireNonNull(duck, "duck is null");
    Objects.requireNonNull(text, "text is null");
    JsonNode parsed = serialize(duck, text);
    if (!parsed.path("error").asBoolean(true)) {
      return new ReadOnlyQuery(text, single(parsed), false);
    }
    if ("parser".equals(parsed.path("error_type").asText())) {
      throw new QueryException(
          "Parser Error: "
              + FailureText.firstLine(parsed.path("error_message").asText("syntax error")),
          null);
    }
    Matcher explain = EXPLAIN.matcher(text);
    if (explain.matches()) {
      String inner = explain.group(3);
      JsonNode innerParsed = serialize(duck, inner);
      if (!innerParsed.path("error").asBoolean(true)) {
        boolean analyze = explain.group(1) != null || explain.group(2) != null;
        return new ReadOnlyQuery(
            (analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ") + inner, single(innerParsed), true);
      }
    }
    if (PIVOT.matcher(text).find()) {
      // without its values DuckDB runs a statement of its own first to find them
      throw new QueryException(
          "a PIVOT must list its values here: PIVOT ... ON column IN ('a', 'b') USING ...", null);
    }
    throw new QueryException(
        "only read-only queries are allowed: one SELECT (or WITH, FROM, VALUES, TABLE, "
            + "DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN [ANALYZE] of one); this statement is not one",
        null);
  }

  /**
   * True for {@code DESCRIBE} (and {@code SHOW} of a table): it needs the tables' columns, not
   * their data.
   */
  public boolean describesOnly() {
    JsonNode from = select.path("from_table");
    return "SELECT_NODE".equals(select.path("type").asText())
        && "SHOW_REF".equals(from.path("type").asText())
        && "DESCRIBE".equals(from.path("show_type").asText());
  }

  /**
   * The tables of ours the query reads, lower case, without their schema; every one of them when it
   * hands SQL text to DuckDB ({@code query()}, {@code query_table()}), which no parse tree shows.
   */
  public Set<String> tables(Set<String> known) {
    Set<String> found = new HashSet<>();
    if (collect(select, known, found)) {
      return Set.copyOf(known);
    }
    return found;
  }

  /** Collects base-table names; true when a table function can read tables by name. */
  private static boolean collect(JsonNode n, Set<String> known, Set<String> found) {
    boolean whole = false;
    if (n.isObject()) {
      if ("BASE_TABLE".equals(n.path("type").asText())) {
        String name = n.path("table_name").asText().toLowerCase(Locale.ROOT);
        if (known.contains(name)) {
          found.add(name);
        }
      }
      if ("FUNCTION".equals(n.path("class").asText())
          && WHOLE_TABLE_FUNCTIONS.contains(
              n.path("function_name").asText().toLowerCase(Locale.ROOT))) {
        whole = true;
      }
      var fields = n.fields();
      while (fields.hasNext()) {
        whole |= collect(fields.next().getValue(), known, found);
      }
    } else if (n.isArray()) {
      for (JsonNode c : n) {
        whole |= collect(c, known, found);
      }
    }
    return whole;
  }

  private static JsonNode single(JsonNode parsed) {
    JsonNode statements = parsed.path("statements");
    if (statements.size() == 0) {
      throw new QueryException("empty query", null);
    }
    if (statements.size() > 1) {
      throw new QueryException(
          "only one statement per query is allowed, got " + statements.size(), null);
    }
    return statements.get(0).path("node");
  }

  private static JsonNode serialize(Connection duck, String text) {
    try (PreparedStatement ps = duck.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
      ps.setString(1, text);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return JSON.readTree(rs.getString(1));
      }
    } catch (SQLException | IOException e) {
      throw new QueryException(
          "cannot parse the query: " + FailureText.firstLine(e.getMessage()), e);
    }
  }
}
