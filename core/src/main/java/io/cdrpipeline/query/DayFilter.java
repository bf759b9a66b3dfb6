package io.cdrpipeline.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * The days a query can read from a day-partitioned table, found from its filters on the partition
 * columns ({@code year = 2026 AND month IN (10, 11) AND day BETWEEN 1 AND 5}), so only those days'
 * files are read (or fetched from a remote store). Conservative: when the query is not simple
 * enough to be sure (the table read twice, joins, OR), every day is allowed.
 */
public final class DayFilter {
  private static final DayFilter ALL =
      new DayFilter(d -> true, d -> true, d -> true, Expressions.alwaysTrue());

  private final IntPredicate year;
  private final IntPredicate month;
  private final IntPredicate day;
  private final Expression expression;

  private DayFilter(
      IntPredicate year, IntPredicate month, IntPredicate day, Expression expression) {
    this.year = year;
    this.month = month;
    this.day = day;
    this.expression = expression;
  }

  /** The same filter as an Iceberg expression on the partition columns, for planning a scan. */
  public Expression expression() {
    return expression;
  }

  /** The filter that allows every day. */
  public static DayFilter all() {
    return ALL;
  }

  /** True if the query may read this day. */
  public boolean allows(LocalDate d) {
    return year.test(d.getYear()) && month.test(d.getMonthValue()) && day.test(d.getDayOfMonth());
  }

  /** True if every day is allowed. */
  public boolean isAll() {
    return this == ALL;
  }

  /**
   * The days of {@code table} a query may read, from the parse tree of its SELECT ({@link
   * ReadOnlyQuery#select()}).
   */
  public static DayFilter of(JsonNode select, String table) {
    List<JsonNode> refs = new ArrayList<>();
    List<JsonNode> owners = new ArrayList<>();
    collect(select, table, refs, owners);
    if (refs.size() != 1 || owners.size() != 1) {
      return ALL;
    }
    JsonNode where = owners.get(0).path("where_clause");
    if (where.isMissingNode() || where.isNull()) {
      return ALL;
    }
    List<IntPredicate> years = new ArrayList<>();
    List<IntPredicate> months = new ArrayList<>();
    List<IntPredicate> days = new ArrayList<>();
    List<Expression> exprs = new ArrayList<>();
    for (JsonNode c : conjuncts(where)) {
      constrain(c, years, months, days, exprs);
    }
    if (years.isEmpty() && months.isEmpty() && days.isEmpty()) {
      return ALL;
    }
    Expression e = Expressions.alwaysTrue();
    for (Expression x : exprs) {
      e = Expressions.and(e, x);
    }
    return new DayFilter(all(years), all(months), all(days), e);
  }

  /** Finds the base-table references to the table, and the SELECT nodes reading one directly. */
  private static void collect(
      JsonNode n, String table, List<JsonNode> refs, List<JsonNode> owners) {
    if (n.isObject()) {
      if ("BASE_TABLE".equals(n.path("type").asText()) && named(n, table)) {
        refs.add(n);
      }
      if ("SELECT_NODE".equals(n.path("type").asText())
          && named(n.path("from_table"), table)
          && "BASE_TABLE".equals(n.path("from_table").path("type").asText())) {
        owners.add(n);
      }
      n.fields().forEachRemaining(e -> collect(e.getValue(), table, refs, owners));
    } else if (n.isArray()) {
      n.forEach(c -> collect(c, table, refs, owners));
    }
  }

  private static boolean named(JsonNode ref, String table) {
    return table.equalsIgnoreCase(ref.path("table_name").asText());
  }

  private static List<JsonNode> conjuncts(JsonNode where) {
    List<JsonNode> out = new ArrayList<>();
    if ("CONJUNCTION_AND".equals(where.path("type").asText())) {
      where.path("children").forEach(c -> out.addAll(conjuncts(c)));
    } else {
      out.add(where);
    }
    return out;
  }

  private static void constrain(
      JsonNode c,
      List<IntPredicate> years,
      List<IntPredicate> months,
      List<IntPredicate> days,
      List<Expression> exprs) {
    String type = c.path("type").asText();
    String column = null;
    IntPredicate p = null;
    Expression e =
        Expressions
            .alwaysTrue(); // a value beyond an integer column's range is left to the predicate
    switch (type) {
      case "COMPARE_EQUAL":
      case "COMPARE_NOTEQUAL":
      case "COMPARE_LESSTHAN":
      case "COMPARE_GREATERTHAN":
      case "COMPARE_LESSTHANOREQUALTO":
      case "COMPARE_GREATERTHANOREQUALTO":
        {
          JsonNode left = c.path("left");
          JsonNode right = c.path("right");
          boolean flipped = false;
          if (partition(left) == null && partition(right) != null) {
            JsonNode t = left;
            left = right;
            right = t;
            flipped = true;
          }
          column = partition(left);
          Long v = constant(right);
          if (column == null || v == null) {
            return;
          }
          long x = v;
          String op = flipped ? flip(type) : type;
          boolean fits = x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE;
          int xi = (int) x;
          switch (op) {
            case "COMPARE_EQUAL":
              p = i -> i == x;
              e = fits ? Expressions.equal(column, xi) : Expressions.alwaysFalse();
              break;
            case "COMPARE_NOTEQUAL":
              p = i -> i != x;
              e = fits ? Expressions.notEqual(column, xi) : e;
              break;
            case "COMPARE_LESSTHAN":
              p = i -> i < x;
              e = fits ? Expressions.lessThan(column, xi) : e;
              break;
            case "COMPARE_GREATERTHAN":
              p = i -> i > x;
              e = fits ? Expressions.greaterThan(column, xi) : e;
              break;
            case "COMPARE_LESSTHANOREQUALTO":
              p = i -> i <= x;
              e = fits ? Expressions.lessThanOrEqual(column, xi) : e;
              break;
            default:
              p = i -> i >= x;
              e = fits ? Expressions.greaterThanOrEqual(column, xi) : e;
          }
          break;
        }
      case "COMPARE_IN":
        {
          JsonNode children = c.path("children");
          column = partition(children.path(0));
          if (column == null) {
            return;
          }
          List<Long> values = new ArrayList<>();
          for (int i = 1; i < children.size(); i++) {
            Long v = constant(children.get(i));
            if (v == null) {
              return;
            }
            values.add(v);
          }
          p = i -> values.contains((long) i);
          List<Integer> ints =
              values.stream()
                  .filter(x -> x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE)
                  .map(Long::intValue)
                  .toList();
          e = ints.isEmpty() ? Expressions.alwaysFalse() : Expressions.in(column, ints.toArray());
          break;
        }
      case "COMPARE_BETWEEN":
        {
          column = partition(c.path("input"));
          Long lo = constant(c.path("lower"));
          Long hi = constant(c.path("upper"));
          if (column == null || lo == null || hi == null) {
            return;
          }
          p = i -> i >= lo && i <= hi;
          if (lo >= Integer.MIN_VALUE && hi <= Integer.MAX_VALUE) {
            e =
                Expressions.and(
                    Expressions.greaterThanOrEqual(column, lo.intValue()),
                    Expressions.lessThanOrEqual(column, hi.intValue()));
          }
          break;
        }
      default:
        return;
    }
    exprs.add(e);
    switch (column) {
      case "year":
        years.add(p);
        break;
      case "month":
        months.add(p);
        break;
      default:
        days.add(p);
    }
  }

  private static String flip(String op) {
    switch (op) {
      case "COMPARE_LESSTHAN":
        return "COMPARE_GREATERTHAN";
      case "COMPARE_GREATERTHAN":
        return "COMPARE_LESSTHAN";
      case "COMPARE_LESSTHANOREQUALTO":
        return "COMPARE_GREATERTHANOREQUALTO";
      case "COMPARE_GREATERTHANOREQUALTO":
        return "COMPARE_LESSTHANOREQUALTO";
      default:
        return op;
    }
  }

  /** "year", "month" or "day" for a reference to a partition column, else null. */
  private static String partition(JsonNode n) {
    if (!"COLUMN_REF".equals(n.path("class").asText())) {
      return null;
    }
    JsonNode names = n.path("column_names");
    if (names.size() == 0) {
      return null;
    }
    String name = names.get(names.size() - 1).asText().toLowerCase(Locale.ROOT);
    return name.equals("year") || name.equals("month") || name.equals("day") ? name : null;
  }

  /** An integer constant (also a quoted one, or one cast), else null. */
  private static Long constant(JsonNode n) {
    if ("CAST".equals(n.path("class").asText())) {
      return constant(n.path("child"));
    }
    if (!"CONSTANT".equals(n.path("class").asText())
        || n.path("value").path("is_null").asBoolean(false)) {
      return null;
    }
    JsonNode v = n.path("value").path("value");
    if (v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v.isTextual() && v.asText().trim().matches("-?\\d{1,9}")) {
      return Long.parseLong(v.asText().trim());
    }
    return null;
  }

  private static IntPredicate all(List<IntPredicate> ps) {
    return i -> ps.stream().allMatch(p -> p.test(i));
  }
}
