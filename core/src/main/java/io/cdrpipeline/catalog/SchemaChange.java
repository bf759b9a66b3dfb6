package io.cdrpipeline.catalog;

import io.cdrpipeline.model.ColumnType;
import java.time.Instant;

/** A column added to a table, or widened to hold a conflicting type. */
public record SchemaChange(
    String table, String column, Kind kind, ColumnType oldType, ColumnType newType, Instant at) {

  /** What happened to the column. */
  public enum Kind {
    ADDED,
    WIDENED
  }

  @Override
  public String toString() {
    return kind == Kind.ADDED
        ? table + ": added column " + column + " " + newType
        : table + ": widened column " + column + " from " + oldType + " to " + newType;
  }
}
