package io.cdrpipeline.app.context;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import io.cdrpipeline.query.QuerySink;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints a query result as an aligned table, as CSV (header, no decoration) or as JSON. */
public final class ResultPrinter {
  public enum Format {
    table,
    csv,
    json
  }

  private ResultPrinter() {}

  public static QuerySink sink(Format format, PrintStream out) throws IOException {
    switch (format) {
      case csv:
        return csv(out);
      case json:
        return json(out);
      default:
        return table(out);
    }
  }

  /**
   * True for the result of {@code EXPLAIN [ANALYZE]}: DuckDB's two columns, the plan drawn as lines
   * of text in {@code explain_value}, which belong on the screen as they are, not in a cell.
   */
  public static boolean isPlan(List<String> columns) {
    return columns != null && columns.equals(List.of("explain_key", "explain_value"));
  }

  /** The text of a plan's rows, each as DuckDB drew it. */
  public static String planText(List<List<Object>> rows) {
    StringBuilder b = new StringBuilder();
    for (List<Object> r : rows) {
      String text = r.get(1) == null ? "" : r.get(1).toString();
      b.append(text.endsWith("\n") ? text : text + "\n");
    }
    return b.toString();
  }

  /** Text of a value as shown in tables and CSV. */
  public static String text(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Timestamp ts) {
      return text(ts.toLocalDateTime());
    }
    if (v instanceof LocalDateTime ldt) {
      // always with seconds, as SQL engines print timestamps; fractions only when there are any
      String base = ldt.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
      int micros = ldt.getNano() / 1000;
      return micros == 0 ? base : base + String.format(".%06d", micros).replaceAll("0+$", "");
    }
    if (v instanceof OffsetDateTime odt) {
      return odt.toString().replace('T', ' ');
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite()
          ? d.toString()
          : BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    if (v instanceof Float f) {
      return text(f.doubleValue());
    }
    return v.toString();
  }

  private static QuerySink csv(PrintStream out) throws IOException {
    // quote only when needed (a comma, quote or line break), so plain values stay plain
    CsvGenerator g =
        (CsvGenerator)
            CsvFactory.builder()
                .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
                .build()
                .createGenerator(out);
    return new QuerySink() {
      int n;

      @Override
      public void header(List<String> columns, List<String> types) throws IOException {
        n = columns.size();
        g.setSchema(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema());
        writeRow(new ArrayList<>(columns));
      }

      @Override
      public void row(List<Object> values) throws IOException {
        List<Object> texts = new ArrayList<>(values.size());
        for (Object v : values) {
          texts.add(text(v));
        }
        writeRow(texts);
      }

      private void writeRow(List<Object> cells) throws IOException {
        g.writeStartArray();
        for (Object c : cells) {
          g.writeString(c.toString());
        }
        g.writeEndArray();
      }

      @Override
      public void end() throws IOException {
        g.flush();
      }
    };
  }

  private static QuerySink json(PrintStream out) throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(out);
    g.useDefaultPrettyPrinter();
    return new QuerySink() {
      List<String> names;

      @Override
      public void header(List<String> columns, List<String> types) throws IOException {
        names = columns;
        g.writeStartArray();
      }

      @Override
      public void row(List<Object> values) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < values.size(); i++) {
          g.writeFieldName(names.get(i));
          writeValue(g, values.get(i));
        }
        g.writeEndObject();
      }

      @Override
      public void end() throws IOException {
        g.writeEndArray();
        g.flush();
        out.println();
      }
    };
  }

  /** A value as JSON: numbers and booleans as such, anything else as the text tables show. */
  public static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof BigInteger bi) {
      g.writeNumber(bi);
    } else if (v instanceof BigDecimal bd) {
      g.writeNumber(bd);
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        g.writeString(d.toString()); // JSON has no NaN or Infinity
      } else {
        g.writeNumber(d);
      }
    } else if (v instanceof Float f) {
      writeValue(g, f.doubleValue());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      g.writeString(text(v));
    }
  }

  private static QuerySink table(PrintStream out) {
    return new QuerySink() {
      List<String> names;
      List<String> types;
      final List<String[]> rows = new ArrayList<>();
      final List<List<Object>> plan = new ArrayList<>();

      @Override
      public void header(List<String> columns, List<String> t) {
        names = columns;
        types = t;
      }

      @Override
      public void row(List<Object> values) {
        if (isPlan(names)) {
          plan.add(values);
          return;
        }
        String[] r = new String[values.size()];
        for (int i = 0; i < r.length; i++) {
          r[i] = values.get(i) == null ? "NULL" : text(values.get(i));
        }
        rows.add(r);
      }

      @Override
      public void end() {
        if (isPlan(names)) {
          out.print(planText(plan)); // the plan's lines as DuckDB drew them
          return;
        }
        int n = names.size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
          w[i] = names.get(i).length();
        }
        for (String[] r : rows) {
          for (int i = 0; i < n; i++) {
            w[i] = Math.min(60, Math.max(w[i], r[i].length()));
          }
        }
        StringBuilder line = new StringBuilder("+");
        for (int i = 0; i < n; i++) {
          line.append("-".repeat(w[i] + 2)).append('+');
        }
        out.println(line);
        out.println(cells(names.toArray(new String[0]), w, null));
        out.println(line);
        for (String[] r : rows) {
          out.println(cells(r, w, types));
        }
        out.println(line);
        out.printf("%d row%s%n", rows.size(), rows.size() == 1 ? "" : "s");
      }

      private String cells(String[] r, int[] w, List<String> t) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < r.length; i++) {
          String c = r[i].length() > w[i] ? r[i].substring(0, w[i] - 1) + "~" : r[i];
          c = c.replace('\n', ' ');
          boolean numeric = t != null && isNumeric(t.get(i));
          String pad = " ".repeat(w[i] - c.length());
          b.append(' ').append(numeric ? pad + c : c + pad).append(" |");
        }
        return b.toString();
      }
    };
  }

  private static boolean isNumeric(String type) {
    String t = type.toUpperCase(Locale.ROOT);
    return t.contains("INT")
        || t.equals("DOUBLE")
        || t.equals("FLOAT")
        || t.startsWith("DECIMAL")
        || t.equals("REAL");
  }
}
