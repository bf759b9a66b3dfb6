package io.cdrpipeline.spark;

import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The rows the read tasks emit (kept as Spark rows, never as a table): each is a record's row, a
 * rejected file, or the summary of a task, so that one pass over the files gives the rows and what
 * the driver needs of them. Known columns are at {@code 1 + } their index in {@link
 * ProcessedSchema#COLUMNS} (a TIMESTAMP as its epoch seconds, as the row rules stage it).
 */
final class DayRows {
  static final int ROW = 0;
  static final int REJECTED = 1;
  static final int SUMMARY = 2;

  static final int KIND = 0;
  static final int FIRST_COLUMN = 1;
  static final int EXTRAS = FIRST_COLUMN + ProcessedSchema.COLUMNS.size();
  static final int SOURCE = EXTRAS + 1;
  static final int REASON = SOURCE + 1;
  static final int SUMMARY_BYTES = REASON + 1;
  static final int WIDTH = SUMMARY_BYTES + 1;

  static final int SOURCE_KEY = FIRST_COLUMN + ProcessedSchema.SOURCE_KEY;

  private DayRows() {}

  /** The Spark type a column's value has between the tasks (a TIMESTAMP as epoch seconds). */
  static DataType staged(ColumnType t) {
    switch (t) {
      case BOOLEAN:
        return DataTypes.BooleanType;
      case BIGINT:
      case TIMESTAMP:
        return DataTypes.LongType;
      case INTEGER:
        return DataTypes.IntegerType;
      case DOUBLE:
        return DataTypes.DoubleType;
      default:
        return DataTypes.StringType;
    }
  }
}
