package io.cdrpipeline.app.web;

import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.Dates;
import io.cdrpipeline.model.ProcessedSchema;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * A search of calls ({@code /api/cdrs}): by phone number (either end, any part of its digits),
 * voice connector, day range and status, one page at a time. Every value is checked against a
 * strict shape before it becomes part of the SQL (digits, an id of letters and digits, a date, one
 * of two statuses, whole numbers), and is then written as a quoted literal.
 */
public record CdrSearch(
    Optional<String> digits,
    Optional<String> connector,
    Optional<LocalDate> from,
    Optional<LocalDate> to,
    Optional<String> status,
    int page,
    int size) {
  static final int MAX_PAGE_SIZE = 500;
  static final int DEFAULT_PAGE_SIZE = 50;

  /** The columns a search returns, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "start_time",
          "end_time",
          "duration",
          "billabledurationseconds",
          "voiceconnectorid",
          "direction",
          "status",
          "statusmessage",
          "sourcephonenumber",
          "destinationphonenumber",
          "callid",
          "transactionid",
          "year",
          "month",
          "day",
          "source_key");

  /** A mistake in a search parameter, said in one line. */
  static final class BadParameter extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadParameter(String message) {
      super(message);
    }
  }

  /** The search a request's parameters ask for ({@code param} gives a parameter, or null). */
  static CdrSearch parse(Function<String, String> param) {
    Optional<String> digits =
        value(param, "number")
            .map(
                n -> {
                  String compact = n.replaceAll("[\\s().-]", "");
                  if (!compact.matches("\\+?[0-9]{2,15}")) {
                    throw new BadParameter(
                        "number: '"
                            + shorten(n)
                            + "' is not a phone number or part of one (2 to 15 digits, an optional +)");
                  }
                  return compact.replace("+", "");
                });
    Optional<String> connector =
        value(param, "connector")
            .map(
                c -> {
                  if (!c.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,127}")) {
                    throw new BadParameter(
                        "connector: '"
                            + shorten(c)
                            + "' is not a voice connector id (letters, digits, - and _)");
                  }
                  return c;
                });
    Optional<LocalDate> from = value(param, "from").map(d -> date("from", d));
    Optional<LocalDate> to = value(param, "to").map(d -> date("to", d));
    if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
      throw new BadParameter("from: " + from.get() + " is after to: " + to.get());
    }
    Optional<String> status =
        value(param, "status")
            .map(
                s ->
                    switch (s.toLowerCase(Locale.ROOT)) {
                      case "completed" -> "Completed";
                      case "failed" -> "Failed";
                      default ->
                          throw new BadParameter(
                              "status: '" + shorten(s) + "' (expected Completed or Failed)");
                    });
    int page = number(param, "page", 1, 1, 1_000_000);
    int size = number(param, "size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    return new CdrSearch(digits, connector, from, to, status, page, size);
  }

  /** One page, with one row more than the page holds to tell whether another page follows. */
  String pageSql(String table) {
    return "SELECT "
        + String.join(", ", COLUMNS)
        + " FROM "
        + table
        + where()
        + " ORDER BY start_time DESC, callid LIMIT "
        + (size + 1)
        + " OFFSET "
        + ((long) (page - 1) * size);
  }

  /** Every matching row, for the CSV export. */
  String allSql(String table) {
    return "SELECT "
        + String.join(", ", COLUMNS)
        + " FROM "
        + table
        + where()
        + " ORDER BY start_time DESC, callid";
  }

  /** The number of matching rows. */
  String countSql(String table) {
    return "SELECT count(*) AS calls FROM " + table + where();
  }

  static String table(String database) {
    return DuckDb.ident(database) + "." + DuckDb.ident(ProcessedSchema.TABLE);
  }

  private String where() {
    List<String> and = new ArrayList<>();
    digits.ifPresent(
        d -> {
          String like = DuckDb.literal("%" + d + "%");
          and.add(
              "(regexp_replace(sourcephonenumber, '[^0-9]', '', 'g') LIKE "
                  + like
                  + " OR regexp_replace(destinationphonenumber, '[^0-9]', '', 'g') LIKE "
                  + like
                  + ")");
        });
    connector.ifPresent(c -> and.add("voiceconnectorid = " + DuckDb.literal(c)));
    status.ifPresent(s -> and.add("status = " + DuckDb.literal(s)));
    if (from.isPresent() || to.isPresent()) {
      LocalDate lo = from.orElse(LocalDate.of(1, 1, 1));
      LocalDate hi = to.orElse(LocalDate.of(9999, 12, 31));
      // the partition columns first, in the simple form that lets the engine read only those days
      and.add("year BETWEEN " + lo.getYear() + " AND " + hi.getYear());
      if (lo.getYear() == hi.getYear()) {
        and.add("month BETWEEN " + lo.getMonthValue() + " AND " + hi.getMonthValue());
        if (lo.getMonthValue() == hi.getMonthValue()) {
          and.add("day BETWEEN " + lo.getDayOfMonth() + " AND " + hi.getDayOfMonth());
        }
      }
      and.add(
          "make_date(year, month, day) BETWEEN DATE "
              + DuckDb.literal(lo.toString())
              + " AND DATE "
              + DuckDb.literal(hi.toString()));
    }
    return and.isEmpty() ? "" : " WHERE " + String.join(" AND ", and);
  }

  private static Optional<String> value(Function<String, String> param, String name) {
    String v = param.apply(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  private static LocalDate date(String name, String v) {
    try {
      return Dates.day(name, v);
    } catch (IllegalArgumentException e) {
      throw new BadParameter(e.getMessage());
    }
  }

  private static int number(
      Function<String, String> param, String name, int dflt, int min, int max) {
    Optional<String> v = value(param, name);
    if (v.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.get());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // said below
    }
    throw new BadParameter(
        name
            + ": '"
            + shorten(v.get())
            + "' (expected a whole number from "
            + min
            + " to "
            + max
            + ")");
  }

  private static String shorten(String s) {
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 40 ? t.substring(0, 40) + "..." : t;
  }
}
