package io.cdrpipeline.spark;

import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.table.IcebergTable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.Parquet;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;

/**
 * Writes one sorted partition of the day's rows as the day's data file number {@code i} with
 * Iceberg's Parquet writer (every column with the table's field id), through the table's own FileIO
 * on the product's store; an empty partition writes nothing.
 */
final class WriteFiles implements Function2<Integer, Iterator<Row>, Iterator<WriteFiles.Written>> {
  private static final long serialVersionUID = 1L;

  /** A data file written: its location, size and rows. */
  record Written(String location, long bytes, long rows) implements Serializable {}

  private final LocalDate day;
  private final Schema schema;
  private final List<String> columns;
  private final List<ColumnType> types;
  private final List<String> locations;
  private final StoreSpec warehouse;

  WriteFiles(
      LocalDate day,
      Schema schema,
      List<String> columns,
      List<ColumnType> types,
      List<String> locations,
      StoreSpec warehouse) {
    this.day = Objects.requireNonNull(day, "day is null");
    this.schema = Objects.requireNonNull(schema, "schema is null");
    this.columns = List.copyOf(columns);
    this.types = List.copyOf(types);
    this.locations = List.copyOf(locations);
    this.warehouse = Objects.requireNonNull(warehouse, "warehouse is null");
  }

  @Override
  public Iterator<Written> call(Integer partition, Iterator<Row> rows) throws IOException {
    if (!rows.hasNext()) {
      return Collections.emptyIterator();
    }
    String location = locations.get(partition);
    long count = 0;
    FileAppender<org.apache.iceberg.data.Record> out;
    try (FileIO io = IcebergTable.fileIo(warehouse.shared())) {
      out =
          Parquet.write(io.newOutputFile(location))
              .schema(schema)
              .createWriterFunc(GenericParquetWriter::create)
              .set("write.parquet.compression-codec", "snappy")
              .overwrite()
              .build();
      try (FileAppender<org.apache.iceberg.data.Record> w = out) {
        // one record for every row: the writer takes its values as it is added
        GenericRecord rec = GenericRecord.create(schema);
        int[] position = new int[columns.size()];
        boolean[] timestamp = new boolean[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
          position[i] = schema.columns().indexOf(schema.findField(columns.get(i)));
          timestamp[i] = types.get(i) == ColumnType.TIMESTAMP;
        }
        rec.setField("year", day.getYear());
        rec.setField("month", day.getMonthValue());
        rec.setField("day", day.getDayOfMonth());
        while (rows.hasNext()) {
          Row r = rows.next();
          for (int i = 0; i < position.length; i++) {
            Object v = r.get(i);
            if (v != null && timestamp[i]) {
              v = LocalDateTime.ofEpochSecond((Long) v, 0, ZoneOffset.UTC);
            }
            rec.set(position[i], v);
          }
          w.add(rec);
          count++;
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return List.of(new Written(location, out.length(), count)).iterator();
  }
}
