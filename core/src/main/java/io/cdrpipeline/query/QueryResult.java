package io.cdrpipeline.query;

import java.util.List;

/** A whole query result in memory: column names and types, and the rows. */
public record QueryResult(List<String> columns, List<String> types, List<List<Object>> rows) {}
