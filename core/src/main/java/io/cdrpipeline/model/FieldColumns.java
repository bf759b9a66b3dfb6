package io.cdrpipeline.model;

import java.util.HashMap;
import java.util.Map;

/**
 * Names the unknown fields of one record with {@link ProcessedSchema#extraColumnName}; when two
 * different fields of the record get the same name, the later one gets {@code _2}, {@code _3}, ...
 * so both are kept. One per record, not thread-safe.
 */
public final class FieldColumns {
  private final Map<String, String> fieldOf = new HashMap<>();

  /**
   * The column of an unknown field, or null if the record already had a field of exactly this name.
   */
  public String column(String jsonName) {
    String base = ProcessedSchema.extraColumnName(jsonName);
    String column = base;
    for (int n = 2; fieldOf.containsKey(column); n++) {
      if (fieldOf.get(column).equals(jsonName)) {
        return null;
      }
      column = base + "_" + n;
    }
    fieldOf.put(column, jsonName);
    return column;
  }
}
