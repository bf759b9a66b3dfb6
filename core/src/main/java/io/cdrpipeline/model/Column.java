package io.cdrpipeline.model;

import java.util.Objects;

/** A named, typed column of a catalog table. */
public record Column(String name, ColumnType type) {
  public Column {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (name.isBlank()) {
      throw new IllegalArgumentException("column name must not be blank");
    }
  }
}
