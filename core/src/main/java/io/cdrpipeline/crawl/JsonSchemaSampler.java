package io.cdrpipeline.crawl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cdrpipeline.etl.Normalizer;
import io.cdrpipeline.etl.Rejection;
import io.cdrpipeline.model.CdrField;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.FieldColumns;
import io.cdrpipeline.model.InputLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Infers the columns of raw CDR files as a crawler does, from the records the ETL keeps: the union
 * of the top-level fields of every sampled record the {@link Normalizer} accepts, each typed by its
 * JSON values (a conflict widens the type) and named as in the processed table ({@link
 * io.cdrpipeline.model.ProcessedSchema#columnName}), a known field read by its documented name. As
 * in the ETL, one day folder brings at most {@link InputLimits#MAX_UNKNOWN_FIELDS} unknown fields,
 * the most common; a record with any other is left out, as the ETL quarantines it. Records the ETL
 * rejects are counted and skipped.
 */
final class JsonSchemaSampler {
  private static final JsonFactory JSON = new JsonFactory();

  private final Normalizer normalizer = new Normalizer();

  /** Column name to (field name, type), in first-seen order. */
  private final Map<String, Map.Entry<String, ColumnType>> columns = new LinkedHashMap<>();

  private long sampled;
  private long rejected;

  /** Starts the records of one day folder. */
  Folder folder() {
    return new Folder();
  }

  /** Counts a file that was not read (too large, not a regular file, not permitted). */
  synchronized void unreadable() {
    rejected++;
  }

  synchronized Map<String, Map.Entry<String, ColumnType>> columns() {
    return new LinkedHashMap<>(columns);
  }

  synchronized long sampled() {
    return sampled;
  }

  /** Sampled files the ETL rejects (or would not read), which say nothing about the columns. */
  synchronized long rejected() {
    return rejected;
  }

  private synchronized void merge(
      Map<String, Map.Entry<String, ColumnType>> fields, long records, long skipped) {
    fields.forEach(
        (col, e) ->
            columns.merge(
                col, e, (a, b) -> Map.entry(a.getKey(), a.getValue().widen(b.getValue()))));
    sampled += records;
    rejected += skipped;
  }

  /**
   * The records of one day folder; {@link #add} is thread-safe, {@link #finish} ends the folder.
   */
  final class Folder {
    /**
     * Records by the set of unknown columns they have values for: each group's columns and count.
     */
    private final Map<Set<String>, Group> groups = new LinkedHashMap<>();

    private long skipped;

    /** Adds one file's content. */
    void add(String key, byte[] content) {
      if (normalizer.normalize(content, key) instanceof Rejection) {
        synchronized (this) {
          skipped++;
        }
        return;
      }
      Map<String, Map.Entry<String, ColumnType>> fields = new LinkedHashMap<>();
      Set<String> unknown = new HashSet<>();
      FieldColumns names = new FieldColumns();
      try (JsonParser p = JSON.createParser(content)) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          ColumnType type = typeOf(v);
          if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
            p.skipChildren();
          }
          CdrField known = CdrField.byName(name);
          // every unknown field takes its name, null or not, as in the ETL
          String column = known != null ? known.column() : names.column(name);
          if (type != null && column != null) {
            fields.merge(
                column,
                Map.entry(known != null ? known.jsonName() : name, type),
                (a, b) -> Map.entry(a.getKey(), a.getValue().widen(b.getValue())));
            if (known == null) {
              unknown.add(column);
            }
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("a record the ETL accepts did not parse again", e);
      }
      synchronized (this) {
        groups.computeIfAbsent(unknown, u -> new Group()).add(fields);
      }
    }

    /** Merges the folder's columns into the sampler's, within the day's limit of unknown fields. */
    synchronized void finish() {
      Map<String, Long> counts = new HashMap<>();
      groups.forEach((unknown, g) -> unknown.forEach(c -> counts.merge(c, g.records, Long::sum)));
      Set<String> kept = new HashSet<>();
      if (counts.size() > InputLimits.MAX_UNKNOWN_FIELDS) {
        List<String> ranked = new ArrayList<>(new TreeSet<>(counts.keySet()));
        ranked.sort(Comparator.comparing((String c) -> -counts.get(c)));
        kept.addAll(ranked.subList(0, InputLimits.MAX_UNKNOWN_FIELDS));
      } else {
        kept.addAll(counts.keySet());
      }
      Map<String, Map.Entry<String, ColumnType>> fields = new LinkedHashMap<>();
      long records = 0;
      long left = skipped;
      for (Map.Entry<Set<String>, Group> e : groups.entrySet()) {
        if (!kept.containsAll(e.getKey())) {
          left += e.getValue().records;
          continue;
        }
        records += e.getValue().records;
        e.getValue()
            .fields
            .forEach(
                (col, f) ->
                    fields.merge(
                        col, f, (a, b) -> Map.entry(a.getKey(), a.getValue().widen(b.getValue()))));
      }
      merge(fields, records, left);
      groups.clear();
    }
  }

  /** Records with the same unknown columns: the union of their fields. */
  private static final class Group {
    private final Map<String, Map.Entry<String, ColumnType>> fields = new LinkedHashMap<>();
    private long records;

    void add(Map<String, Map.Entry<String, ColumnType>> record) {
      records++;
      record.forEach(
          (col, f) ->
              fields.merge(
                  col, f, (a, b) -> Map.entry(a.getKey(), a.getValue().widen(b.getValue()))));
    }
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
}
