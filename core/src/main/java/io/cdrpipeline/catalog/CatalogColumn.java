package io.cdrpipeline.catalog;

import io.cdrpipeline.model.ColumnType;

/** A column of a catalog table; {@code sourceName} is the field name in the data it came from. */
public record CatalogColumn(String name, String sourceName, ColumnType type, int position) {}
