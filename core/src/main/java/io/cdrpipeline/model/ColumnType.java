package io.cdrpipeline.model;

/** The SQL type of a table column, as written to Parquet and shown in the catalog. */
public enum ColumnType {
  BOOLEAN,
  BIGINT,
  DOUBLE,
  VARCHAR,
  TIMESTAMP,
  INTEGER;

  /**
   * The narrowest type that holds values of both types: integers widen to doubles, and any
   * other mix widens to text, so a conflict never loses a value.
   */
  public ColumnType widen(ColumnType other) {
    if (this == other) {
      return this;
    }
    if ((this == BIGINT && other == DOUBLE) || (this == DOUBLE && other == BIGINT)) {
      return DOUBLE;
    }
    if ((this == INTEGER && other == BIGINT) || (this == BIGINT && other == INTEGER)) {
      return BIGINT;
    }
    return VARCHAR;
  }

  /** Parses a type name as stored in the catalog or reported by DuckDB. */
  public static ColumnType parse(String sqlType) {
    String t = sqlType.trim().toUpperCase(java.util.Locale.ROOT);
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
