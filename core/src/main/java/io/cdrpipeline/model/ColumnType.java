package io.cdrpipeline.model;

import java.util.Locale;

/** The SQL type of a table column, as written to Parquet and shown in the catalog. */
public enum ColumnType {
  BOOLEAN,
  BIGINT,
  DOUBLE,
  VARCHAR,
  TIMESTAMP,
  INTEGER;

  /**
   * The narrowest type that holds values of both types: integers widen to doubles, and any other
   * mix widens to text, so a conflict never loses a value.
   */
  public ColumnType widen(ColumnType other) {
    if (this == other) {
      return this;
    }
    if (isNumeric() && other.isNumeric()) {
      return this == DOUBLE || other == DOUBLE ? DOUBLE : BIGINT;
    }
    return VARCHAR;
  }

  /** True for INTEGER, BIGINT and DOUBLE. */
  public boolean isNumeric() {
    return this == INTEGER || this == BIGINT || this == DOUBLE;
  }

  /** Parses a type name as stored in the catalog or reported by DuckDB. */
  public static ColumnType parse(String sqlType) {
    String t = sqlType.trim().toUpperCase(Locale.ROOT);
    switch (t) {
      case "BOOLEAN":
      case "BOOL":
        return BOOLEAN;
      case "BIGINT":
      case "INT64":
      case "LONG":
        return BIGINT;
      case "INTEGER":
      case "INT":
      case "INT32":
      case "SMALLINT":
      case "TINYINT":
        return INTEGER;
      case "DOUBLE":
      case "FLOAT":
      case "REAL":
        return DOUBLE;
      default:
        if (t.startsWith("TIMESTAMP")) {
          return TIMESTAMP;
        }
        if (t.startsWith("DECIMAL")) {
          return DOUBLE;
        }
        return VARCHAR;
    }
  }
}
