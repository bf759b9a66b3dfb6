package io.cdrpipeline.crawl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cdrpipeline.model.ColumnType;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Infers the columns of raw CDR files as a crawler does: the union of the top-level fields of
 * every sampled record, each typed by its JSON values (a conflict widens the type).
 * Files that are not JSON objects are counted and skipped.
 */
final class JsonSchemaSampler {
  private static final JsonFactory JSON = new JsonFactory();

  /** Lower-case column name to (first-seen field name, type), in first-seen order. */
  private final Map<String, Map.Entry<String, ColumnType>> columns = new LinkedHashMap<>();
  private long sampled;
  private long unreadable;

  synchronized void add(byte[] content) {
    Map<String, ColumnType> fields = new LinkedHashMap<>();
    Map<String, String> names = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(content)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        unreadable++;
        return;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        ColumnType type = typeOf(v);
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          p.skipChildren();
        }
        if (type != null) {
          String col = name.toLowerCase(Locale.ROOT);
          names.putIfAbsent(col, name);
          fields.merge(col, type, ColumnType::widen);
        }
      }
      if (t != JsonToken.END_OBJECT) {
        unreadable++;
        return;
      }
    } catch (IOException e) {
      unreadable++;
      return;
    }
    sampled++;
    fields.forEach((col, type) -> columns.merge(col, Map.entry(names.get(col), type),
        (a, b) -> Map.entry(a.getKey(), a.getValue().widen(b.getValue()))));
  }

  private static ColumnType typeOf(JsonToken v) {
    switch (v) {
      case VALUE_STRING:
      case START_OBJECT:
      case START_ARRAY:
        return ColumnType.VARCHAR;
      case VALUE_NUMBER_INT:
        return ColumnType.BIGINT;
      case VALUE_NUMBER_FLOAT:
        return ColumnType.DOUBLE;
      case VALUE_TRUE:
      case VALUE_FALSE:
        return ColumnType.BOOLEAN;
      default:
        return null; // null says nothing about the type
    }
  }

  synchronized Map<String, Map.Entry<String, ColumnType>> columns() {
    return new LinkedHashMap<>(columns);
  }

  synchronized long sampled() {
    return sampled;
  }

  synchronized long unreadable() {
    return unreadable;
  }
}
