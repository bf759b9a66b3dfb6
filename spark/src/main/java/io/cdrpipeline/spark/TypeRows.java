package io.cdrpipeline.spark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ExtraValues;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RowRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Turns the read rows into the day's rows by the {@link RowRules}: the known columns, each unknown
 * field in the column and type its placement gives it ({@link ExtraValues}), rows with a field
 * beyond the day's limit left out (they are quarantined), then the bucket's index.
 */
final class TypeRows implements FlatMapFunction<Iterator<Row>, Row> {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory JSON = new JsonFactory();

  // the placements, in a form Spark ships (a placement holds an Optional)
  private final List<String> fields = new ArrayList<>();
  private final List<ColumnType> types = new ArrayList<>();
  private final List<Boolean> text = new ArrayList<>();
  private final Set<String> dropped;

  TypeRows(Map<String, RowRules.ExtraPlacement> extras, Set<String> dropped) {
    extras.forEach(
        (field, p) -> {
          fields.add(field);
          types.add(p.type());
          text.add(p.textColumn().isPresent());
        });
    this.dropped = new HashSet<>(dropped);
  }

  /**
   * The number of columns of an output row: the known ones, the extras' columns, the bucket's
   * index.
   */
  int width() {
    return ProcessedSchema.COLUMNS.size()
        + 1
        + fields.size()
        + (int) text.stream().filter(t -> t).count();
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    int width = width();
    int known = ProcessedSchema.COLUMNS.size();
    return new Iterator<>() {
      private Row next = advance();

      private Row advance() {
        while (rows.hasNext()) {
          Row r = rows.next();
          if (r.getInt(DayRows.KIND) != DayRows.ROW) {
            continue;
          }
          Map<String, Object> values =
              r.isNullAt(DayRows.EXTRAS) ? Map.of() : parse(r.getString(DayRows.EXTRAS));
          if (!dropped.isEmpty() && values.keySet().stream().anyMatch(dropped::contains)) {
            continue;
          }
          Object[] out = new Object[width];
          for (int i = 0; i < known; i++) {
            out[i] = r.get(DayRows.FIRST_COLUMN + i);
          }
          int i = known;
          for (int f = 0; f < fields.size(); f++) {
            Object v = values.get(fields.get(f));
            Object in = ExtraValues.inColumn(v, types.get(f));
            out[i++] = in;
            if (text.get(f)) {
              out[i++] = v != null && in == null ? ExtraValues.asText(v) : null;
            }
          }
          out[i] = r.getInt(DayRows.SOURCE);
          return RowFactory.create(out);
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Row next() {
        Row r = next;
        next = advance();
        return r;
      }
    };
  }

  /** The staged unknown fields, in their order: Long, Double, Boolean or String. */
  static Map<String, Object> parse(String json) {
    Map<String, Object> m = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (v) {
          case VALUE_NUMBER_INT:
            m.put(name, p.getLongValue());
            break;
          case VALUE_NUMBER_FLOAT:
            m.put(name, p.getDoubleValue());
            break;
          case VALUE_TRUE:
            m.put(name, Boolean.TRUE);
            break;
          case VALUE_FALSE:
            m.put(name, Boolean.FALSE);
            break;
          default:
            m.put(name, p.getText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** The first field of a row's staged fields that is among {@code dropped}, or null. */
  static String firstDropped(String json, Set<String> dropped) {
    for (String k : parse(json).keySet()) {
      if (dropped.contains(k)) {
        return k;
      }
    }
    return null;
  }
}
