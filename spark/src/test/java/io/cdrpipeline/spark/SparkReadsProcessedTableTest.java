package io.cdrpipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.Postgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Apache Spark reads {@code processed_cdrs} through Iceberg's SparkCatalog on the product's own
 * JDBC catalog (SQLite and PostgreSQL) and finds what {@code cdr query} finds: the same rows per
 * day, the same aggregates, every column with its type and value.
 */
class SparkReadsProcessedTableTest {
  /**
   * Three days across a month's end, each with calls of two voice connectors and every kind of bad
   * file.
   */
  static final Map<LocalDate, Integer> CALLS =
      Map.of(
          LocalDate.of(2026, 11, 29), 420,
          LocalDate.of(2026, 11, 30), 260,
          LocalDate.of(2026, 12, 1), 330);

  static final int MALFORMED = 6;
  static final String SEED_QUERY =
      "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount\n"
          + "FROM (SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount\n"
          + "      FROM %s GROUP BY npanxx) GROUP BY npanxx";

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    LocalSpark.get();
  }

  @ParameterizedTest(name = "{0} catalog")
  @ValueSource(strings = {"sqlite", "postgresql"})
  void sparkReadsTheSameTableAsCdrQuery(String catalogKind) throws Exception {
    Pipeline p =
        new Pipeline(tmp, null, catalogKind.equals("sqlite") ? null : Postgres.freshDatabase());
    assertThat(p.database.dialect() instanceof io.cdrpipeline.catalog.PostgresDialect)
        .isEqualTo(catalogKind.equals("postgresql"));
    CdrGenerator gen = new CdrGenerator(p.cdr);
    long seed = 40;
    for (Map.Entry<LocalDate, Integer> day : new TreeMap<>(CALLS).entrySet()) {
      gen.generate(day.getKey(), day.getValue(), 2, seed++, MALFORMED, null);
    }
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary run = p.etl().runFull(2, false);
    assertThat(run.rowsWritten()).isEqualTo(1010);
    assertThat(run.rejected()).isEqualTo(3L * MALFORMED);

    SparkSession spark = new SparkCatalogConfig(p.database.url(), p.processed.root()).session();
    String table = SparkCatalogConfig.table(p.config.database());

    // rows, duration and distinct calls per day: the generated calls, the bad files rejected
    String perDay =
        "SELECT year, month, day, count(*), sum(duration), count(DISTINCT callid), count(DISTINCT npanxx), "
            + "min(start_time), max(end_time) FROM %s GROUP BY year, month, day ORDER BY year, month, day";
    List<String> cdrQuery = canonical(p.sql(String.format(perDay, "processed_cdrs")));
    List<String> sparkAnswer = canonical(spark.sql(String.format(perDay, table)).collectAsList());
    assertThat(sparkAnswer).hasSize(3).isEqualTo(cdrQuery);
    Map<LocalDate, Long> sparkCounts = new TreeMap<>();
    for (Row r : spark.sql(String.format(perDay, table)).collectAsList()) {
      sparkCounts.put(LocalDate.of(r.getInt(0), r.getInt(1), r.getInt(2)), r.getLong(3));
      assertThat(r.getLong(5)).as("distinct calls on %s", r.get(2)).isEqualTo(r.getLong(3));
    }
    Map<LocalDate, Long> expected = new TreeMap<>();
    CALLS.forEach((d, n) -> expected.put(d, (long) n));
    assertThat(sparkCounts).isEqualTo(expected);

    // the seed's query, the same SQL on both engines: one row per npanxx group
    List<String> seedCdr =
        sorted(canonical(p.sql(String.format(SEED_QUERY, "cdrs.processed_cdrs"))));
    List<String> seedSpark =
        sorted(canonical(spark.sql(String.format(SEED_QUERY, table)).collectAsList()));
    assertThat(seedSpark).hasSizeGreaterThan(50).isEqualTo(seedCdr);

    // partition pruning in Spark still gives the day's rows
    assertThat(
            spark
                .sql(
                    "SELECT count(*) FROM "
                        + table
                        + " WHERE year = 2026 AND month = 12 AND day = 1")
                .collectAsList()
                .get(0)
                .getLong(0))
        .isEqualTo(330);

    assertEveryColumnReadAlike(p, spark, table);
    assertTheDocsMetadataQueryFindsTheCurrentMetadata(p);
  }

  /**
   * What docs/querying.md has a DuckDB user run on the catalog to find the current snapshot's
   * metadata file.
   */
  private static void assertTheDocsMetadataQueryFindsTheCurrentMetadata(Pipeline p)
      throws Exception {
    String current =
        ((org.apache.iceberg.HasTableOperations) p.table().iceberg().refresh().iceberg())
            .operations()
            .current()
            .metadataFileLocation();
    try (Connection c = DriverManager.getConnection(p.database.url());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT metadata_location FROM iceberg_tables WHERE "
                    + "catalog_name = 'cdr' AND table_namespace = 'cdrs' AND table_name = 'processed_cdrs'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(current);
      assertThat(rs.next()).isFalse();
    }
  }

  /**
   * Spark's schema has the table's types, and every value of every row is the one cdr query reads.
   */
  private static void assertEveryColumnReadAlike(Pipeline p, SparkSession spark, String table) {
    Map<String, ColumnType> columns = p.table().iceberg().refresh().columns();
    List<Row> rows = spark.sql("SELECT * FROM " + table).collectAsList();
    StructField[] fields = spark.table(table).schema().fields();
    List<String> names = new ArrayList<>();
    for (StructField f : fields) {
      names.add(f.name());
      assertThat(f.dataType())
          .as("the type of %s", f.name())
          .isEqualTo(sparkType(columns.get(f.name())));
    }
    assertThat(names).containsExactlyElementsOf(columns.keySet());
    assertThat(columns.values())
        .contains(
            ColumnType.VARCHAR,
            ColumnType.BIGINT,
            ColumnType.INTEGER,
            ColumnType.DOUBLE,
            ColumnType.BOOLEAN,
            ColumnType.TIMESTAMP);

    QueryResult all = p.sql("SELECT * FROM processed_cdrs");
    assertThat(all.columns()).containsExactlyElementsOf(names);
    assertThat(sorted(canonical(rows))).hasSize(1010).isEqualTo(sorted(canonical(all)));

    // and the values are right in themselves, not only equal on both sides
    int start = names.indexOf("start_time");
    int end = names.indexOf("end_time");
    int startEpoch = names.indexOf("starttimeepochseconds");
    int endEpoch = names.indexOf("endtimeepochseconds");
    int hour = names.indexOf("hour");
    int duration = names.indexOf("duration");
    int streaming = names.indexOf("streaming");
    int minutes = names.indexOf("billabledurationminutes");
    int seconds = names.indexOf("billabledurationseconds");
    int year = names.indexOf("year");
    int month = names.indexOf("month");
    int day = names.indexOf("day");
    int sourceKey = names.indexOf("source_key");
    int nullStreaming = 0;
    int trueStreaming = 0;
    for (Row r : rows) {
      LocalDateTime s = (LocalDateTime) r.get(start);
      LocalDateTime e = (LocalDateTime) r.get(end);
      assertThat(s)
          .isEqualTo(LocalDateTime.ofEpochSecond(r.getLong(startEpoch), 0, ZoneOffset.UTC));
      assertThat(e).isEqualTo(LocalDateTime.ofEpochSecond(r.getLong(endEpoch), 0, ZoneOffset.UTC));
      assertThat(r.getString(hour)).isEqualTo(s.format(DateTimeFormatter.ofPattern("HH")));
      assertThat(r.getLong(duration)).isEqualTo(r.getLong(endEpoch) - r.getLong(startEpoch));
      // the day of the folder the file came from
      String key = r.getString(sourceKey);
      assertThat(key)
          .contains(
              String.format("/%04d/%02d/%02d/", r.getInt(year), r.getInt(month), r.getInt(day)));
      if (r.isNullAt(streaming)) {
        nullStreaming++;
        assertThat(r.isNullAt(minutes)).as("schema 1.0 records have neither").isTrue();
      } else {
        trueStreaming += r.getBoolean(streaming) ? 1 : 0;
        assertThat(r.getDouble(minutes)).isEqualTo(Math.ceil(r.getLong(seconds) / 6.0) / 10.0);
      }
    }
    assertThat(nullStreaming).isPositive();
    assertThat(trueStreaming).isPositive();
  }

  private static DataType sparkType(ColumnType t) {
    switch (t) {
      case BOOLEAN:
        return DataTypes.BooleanType;
      case BIGINT:
        return DataTypes.LongType;
      case INTEGER:
        return DataTypes.IntegerType;
      case DOUBLE:
        return DataTypes.DoubleType;
      case TIMESTAMP:
        return DataTypes.TimestampNTZType;
      default:
        return DataTypes.StringType;
    }
  }

  /** Each row as one line of values, the same text for the same value whichever engine read it. */
  static List<String> canonical(List<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        values.add(r.get(i));
      }
      out.add(line(values));
    }
    return out;
  }

  static List<String> canonical(QueryResult result) {
    return result.rows().stream().map(SparkReadsProcessedTableTest::line).toList();
  }

  private static String line(List<Object> values) {
    StringBuilder b = new StringBuilder();
    for (Object v : values) {
      if (v instanceof Timestamp ts) {
        v = ts.toLocalDateTime();
      }
      b.append(v == null ? "NULL" : v.toString()).append('\u0001');
    }
    return b.toString();
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }
}
