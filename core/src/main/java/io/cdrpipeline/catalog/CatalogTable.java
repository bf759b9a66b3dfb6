package io.cdrpipeline.catalog;

import java.util.List;

/** A table of the catalog: where its data lives, its format, its partition keys. */
public record CatalogTable(
    String name, String location, String format, List<String> partitionKeys) {}
