package io.cdrpipeline.table;

import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The processed table's columns as an Iceberg schema: every known column with a fixed field id (its
 * position, from 1), the partition columns {@code year}, {@code month}, {@code day} after them, and
 * extra columns appended by schema evolution with ids Iceberg assigns. Data files carry these ids,
 * so every engine maps columns by id, never by position or name.
 */
public final class TableSchema {
  private TableSchema() {}

  /** The schema a new table starts with. */
  public static Schema initial() {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 1;
    for (Column c : ProcessedSchema.COLUMNS) {
      fields.add(Types.NestedField.optional(id++, c.name(), type(c.type())));
    }
    for (Column c : ProcessedSchema.PARTITION_COLUMNS) {
      fields.add(Types.NestedField.optional(id++, c.name(), type(c.type())));
    }
    return new Schema(fields);
  }

  /** Identity partitions on year, month and day. */
  public static PartitionSpec spec(Schema schema) {
    PartitionSpec.Builder b = PartitionSpec.builderFor(schema);
    for (Column c : ProcessedSchema.PARTITION_COLUMNS) {
      b.identity(c.name());
    }
    return b.build();
  }

  /** The Iceberg type of a column type. */
  public static Type type(ColumnType t) {
    switch (t) {
      case BOOLEAN:
        return Types.BooleanType.get();
      case BIGINT:
        return Types.LongType.get();
      case INTEGER:
        return Types.IntegerType.get();
      case DOUBLE:
        return Types.DoubleType.get();
      case TIMESTAMP:
        return Types.TimestampType.withoutZone();
      default:
        return Types.StringType.get();
    }
  }

  /** The column type of an Iceberg type; types the product never writes read as text. */
  public static ColumnType columnType(Type t) {
    switch (t.typeId()) {
      case BOOLEAN:
        return ColumnType.BOOLEAN;
      case LONG:
        return ColumnType.BIGINT;
      case INTEGER:
        return ColumnType.INTEGER;
      case DOUBLE:
      case FLOAT:
      case DECIMAL:
        return ColumnType.DOUBLE;
      case TIMESTAMP:
        return ColumnType.TIMESTAMP;
      default:
        return ColumnType.VARCHAR;
    }
  }

  /** Every top-level column of a schema with its type, in schema order. */
  public static Map<String, ColumnType> columns(Schema schema) {
    Map<String, ColumnType> out = new LinkedHashMap<>();
    for (Types.NestedField f : schema.columns()) {
      out.put(f.name(), columnType(f.type()));
    }
    return out;
  }

  /** Every top-level column's field id, by name. */
  public static Map<String, Integer> fieldIds(Schema schema) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Types.NestedField f : schema.columns()) {
      out.put(f.name(), f.fieldId());
    }
    return out;
  }
}
