package io.cdrpipeline.etl;

import io.cdrpipeline.model.CdrField;
import io.cdrpipeline.model.ProcessedSchema;
import java.io.IOException;
import java.util.Map;

/**
 * One row of {@code processed_cdrs}. {@code values} follows {@link ProcessedSchema#COLUMNS}: String
 * for VARCHAR, Long for BIGINT, Double for DOUBLE, Boolean for BOOLEAN, epoch seconds (Long) for
 * TIMESTAMP; null for NULL. {@code extras} holds fields the product does not know, by column name,
 * as String, Long, Double, Boolean or {@link JsonText}.
 */
public record ProcessedRow(Object[] values, Map<String, Object> extras)
    implements NormalizedRecord {

  /** The value of a known field. */
  public Object get(CdrField field) {
    return values[field.ordinal()];
  }

  /** The value of the column at this index of {@link ProcessedSchema#COLUMNS}. */
  public Object get(int column) {
    return values[column];
  }

  /** The value of a column by name, known, derived or extra; null if absent. */
  public Object get(String column) {
    for (int i = 0; i < ProcessedSchema.COLUMNS.size(); i++) {
      if (ProcessedSchema.COLUMNS.get(i).name().equals(column)) {
        return values[i];
      }
    }
    return extras.get(column);
  }

  /** A nested JSON value (object or array) of an unknown field, kept as its JSON text. */
  public record JsonText(String json) {}

  /**
   * Writes one unknown field's value as the staged extras object holds it: numbers and booleans as
   * such, the rest as text.
   */
  public static void writeExtra(com.fasterxml.jackson.core.JsonGenerator g, Object value)
      throws IOException {
    if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Double d) {
      g.writeNumber(d);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof JsonText j) {
      g.writeString(j.json());
    } else {
      g.writeString(value.toString());
    }
  }
}
