package io.cdrpipeline.etl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One ETL worker's staged output: rows and rejections as CSV files that DuckDB then reads in one
 * sorted pass into Parquet. Writing plain files keeps the workers free of any shared state or
 * native calls, and keeps memory flat however large the day. A NULL is an unquoted empty field; an
 * empty string is written quoted.
 */
final class StagingFile implements AutoCloseable {
  private static final CsvFactory CSV =
      CsvFactory.builder().enable(CsvGenerator.Feature.ALWAYS_QUOTE_EMPTY_STRINGS).build();
  private static final JsonFactory JSON = new JsonFactory();
  private static final List<Column> COLUMNS = ProcessedSchema.COLUMNS;

  /**
   * The longest staged row DuckDB is told to expect. A row comes from one file of at most {@link
   * InputLimits#MAX_FILE_BYTES}, and staging at most triples it (a quote inside a nested value
   * becomes three characters, escaped once for the unknown fields' JSON and again for CSV); the
   * rest is room for column names and the key.
   */
  static final int MAX_LINE_BYTES = 3 * InputLimits.MAX_FILE_BYTES + (1 << 20);

  private final Path rowsFile;
  private final Path rejectsFile;
  private final CsvGenerator rows;
  private final CsvGenerator rejects;
  private final Map<String, ColumnType> extraTypes;
  private final StringWriter extrasText = new StringWriter();

  StagingFile(Path dir, int index, Map<String, ColumnType> extraTypes) throws IOException {
    this.rowsFile = dir.resolve("rows-" + index + ".csv");
    this.rejectsFile = dir.resolve("rejects-" + index + ".csv");
    this.rows = open(rowsFile, COLUMNS.size() + 2);
    this.rejects = open(rejectsFile, 2);
    this.extraTypes = extraTypes;
  }

  private static CsvGenerator open(Path file, int columns) throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 17);
    CsvGenerator g = (CsvGenerator) CSV.createGenerator(out);
    // a schema of positional columns: without one a NULL would be left out, not written empty
    CsvSchema.Builder schema = CsvSchema.builder();
    for (int i = 0; i < columns; i++) {
      schema.addColumn("c" + i);
    }
    g.setSchema(schema.build().withoutHeader());
    return g;
  }

  Path rowsFile() {
    return rowsFile;
  }

  Path rejectsFile() {
    return rejectsFile;
  }

  /** Stages a row; {@code source} is the index of the bucket it came from. */
  void row(ProcessedRow row, int source) throws IOException {
    Object[] v = row.values();
    CsvGenerator g = rows;
    g.writeStartArray();
    for (int i = 0; i < v.length; i++) {
      Object x = v[i];
      if (x == null) {
        g.writeNull();
        continue;
      }
      switch (COLUMNS.get(i).type()) {
        case VARCHAR:
          g.writeString((String) x);
          break;
        case BIGINT:
        case TIMESTAMP: // epoch seconds; DuckDB makes the timestamp
          g.writeNumber((Long) x);
          break;
        case DOUBLE:
          g.writeNumber((Double) x);
          break;
        case BOOLEAN:
          g.writeBoolean((Boolean) x);
          break;
        default:
          throw new IllegalStateException("unexpected column type " + COLUMNS.get(i).type());
      }
    }
    Map<String, Object> extras = row.extras();
    if (extras.isEmpty()) {
      g.writeNull();
    } else {
      g.writeString(extrasJson(extras));
    }
    g.writeNumber(source);
    g.writeEndArray();
  }

  /** Stages a rejection. */
  void reject(Rejection r) throws IOException {
    rejects.writeStartArray();
    rejects.writeString(r.sourceKey());
    rejects.writeString(r.reason());
    rejects.writeEndArray();
  }

  private String extrasJson(Map<String, Object> extras) throws IOException {
    extrasText.getBuffer().setLength(0);
    try (JsonGenerator g = JSON.createGenerator(extrasText)) {
      g.writeStartObject();
      for (Map.Entry<String, Object> e : extras.entrySet()) {
        Object x = e.getValue();
        if (x == null) {
          continue;
        }
        extraTypes.merge(e.getKey(), Normalizer.typeOf(x), ColumnType::widen);
        g.writeFieldName(e.getKey());
        ProcessedRow.writeExtra(g, x);
      }
      g.writeEndObject();
    }
    return extrasText.toString();
  }

  /** The DuckDB {@code read_csv} column spec of the row files. */
  static String rowColumnsSpec() {
    StringBuilder b = new StringBuilder("{");
    for (Column c : COLUMNS) {
      String type = c.type() == ColumnType.TIMESTAMP ? "BIGINT" : c.type().name();
      b.append('\'').append(c.name()).append("': '").append(type).append("', ");
    }
    return b.append("'_extras': 'VARCHAR', '_source': 'INTEGER'}").toString();
  }

  @Override
  public void close() throws IOException {
    try {
      rows.close();
    } finally {
      rejects.close();
    }
  }
}
