package io.cdrpipeline.table;

import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Where an ETL engine writes one day of the processed table: its columns, field ids and data files.
 */
public interface DayTarget {
  /** The day being written. */
  LocalDate day();

  /** The run writing it; data files are named after it. */
  String runId();

  /** The table's columns with their types, in schema order. */
  Map<String, ColumnType> columns();

  /** Adds the columns the table lacks (schema evolution) and returns every column's field id. */
  Map<String, Integer> addColumns(List<Column> columns);

  /** The location of the day's data file number {@code index}. */
  String newDataFile(int index);

  /** Puts a local Parquet file at a location of the table (not yet part of any snapshot). */
  void upload(Path local, String location) throws IOException;
}
