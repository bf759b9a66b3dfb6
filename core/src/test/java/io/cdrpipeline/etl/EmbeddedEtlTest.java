package io.cdrpipeline.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.RawFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedEtlTest {
  static final LocalDate DAY1 = LocalDate.of(2026, 11, 26);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 27);
  static final String SEED_QUERY =
      "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount\n"
          + "FROM (SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount\n"
          + "      FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx";

  @TempDir Path tmp;

  @Test
  void generateCrawlEtlQueryGivesNumbersComputedIndependentlyFromTheRawFiles() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY1, 700, 3, 11, 6, null);
    gen.generate(DAY2, 500, 3, 12, 6, null);

    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary s1 = p.etl().runDay(DAY1, 4);
    EtlSummary s2 = p.etl().runDay(DAY2, 4);
    p.crawler().crawlProcessed(p.table().iceberg(), false);

    List<JsonNode> raw = RawFiles.validRecords(p.cdrRoot());
    List<JsonNode> expected = raw;
    assertThat(expected.size()).isEqualTo(1200);
    assertThat(s1.filesRead()).isEqualTo(706);
    assertThat(s1.rowsWritten()).isEqualTo(700);
    assertThat(s1.rejected()).isEqualTo(6);
    assertThat(s2.rowsWritten()).isEqualTo(500);

    Map<String, Long> durationByNpanxx = new HashMap<>();
    for (JsonNode n : expected) {
      String npanxx = RawFiles.npanxx(n.path("DestinationPhoneNumber").asText(null));
      long d = n.path("EndTimeEpochSeconds").asLong() - n.path("StartTimeEpochSeconds").asLong();
      durationByNpanxx.merge(String.valueOf(npanxx), d, Long::sum);
    }
    QueryResult seed = p.sql(SEED_QUERY);
    assertThat(seed.columns()).containsExactly("npanxx", "TotalDuration", "CallCount");
    Map<String, Long> actual = new HashMap<>();
    for (List<Object> row : seed.rows()) {
      actual.put(String.valueOf(row.get(0)), ((Number) row.get(1)).longValue());
      assertThat(((Number) row.get(2)).longValue())
          .isEqualTo(1L); // the original's query counts groups
    }
    assertThat(actual).isEqualTo(durationByNpanxx);

    assertThat(
            p.count(
                "SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 11 AND day = 26"))
        .isEqualTo(700);
    assertThat(p.count("SELECT count(*) FROM cdrs.processed_cdrs")).isEqualTo(1200);
    assertThat(p.count("SELECT count(DISTINCT callid) FROM processed_cdrs")).isEqualTo(1200);
    assertThat(p.count("SELECT count(*) FROM quarantined_cdrs")).isEqualTo(12);
    assertThat(
            p.count("SELECT count(*) FROM cdrs.quarantined_cdrs WHERE day = 27 AND reason <> ''"))
        .isEqualTo(6);
    long failed = expected.stream().filter(n -> n.path("Status").asText().equals("Failed")).count();
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE status = 'Failed'"))
        .isEqualTo(failed);
    long international =
        expected.stream()
            .filter(n -> RawFiles.npanxx(n.path("DestinationPhoneNumber").asText()) == null)
            .count();
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE npanxx IS NULL"))
        .isEqualTo(international);
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs WHERE day = 26"))
        .isEqualTo(702);

    // layout: one data file of the Iceberg table in the day's folder, the partition columns in
    // the file too, every column carrying the table's field id, rows sorted
    List<Path> parquet = p.dayFiles(DAY1);
    assertThat(parquet).hasSize(1);
    assertThat(parquet.get(0).getParent())
        .isEqualTo(p.processed.root().resolve("processed_cdrs/data/year=2026/month=11/day=26"));
    assertThat(parquet.get(0).getFileName().toString()).endsWith(".parquet");
    // the file itself, read outside the query sandbox (which lets a statement read only the files
    // of the tables it names)
    List<Object> names =
        fileRows(
                "DESCRIBE SELECT * FROM read_parquet('"
                    + parquet.get(0)
                    + "', hive_partitioning = false)")
            .stream()
            .map(r -> r.get(0))
            .collect(Collectors.toList());
    assertThat(names)
        .contains("year", "month", "day")
        .contains(
            "duration",
            "npanxx",
            "hour",
            "start_time",
            "end_time",
            "source_key",
            "callid",
            "isproxycall");
    Map<String, Integer> ids = p.table().iceberg().fieldIds();
    try (Connection c = io.cdrpipeline.duckdb.DuckDb.open("256MB", tmp.resolve("duck"), 1);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT name, field_id FROM parquet_schema('"
                    + parquet.get(0)
                    + "') WHERE field_id IS NOT NULL")) {
      Map<String, Integer> inFile = new HashMap<>();
      while (rs.next()) {
        inFile.put(rs.getString(1), rs.getInt(2));
      }
      assertThat(inFile).hasSameSizeAs(names);
      inFile.forEach((name, id) -> assertThat(ids).containsEntry(name, id));
    }
    assertThat(
            fileRows(
                "SELECT count(*) FROM (SELECT voiceconnectorid, starttimeepochseconds, "
                    + "lag(voiceconnectorid) OVER () AS pv, lag(starttimeepochseconds) OVER () AS ps FROM read_parquet('"
                    + parquet.get(0)
                    + "')) WHERE pv > voiceconnectorid OR (pv = voiceconnectorid AND ps > starttimeepochseconds)"))
        .containsExactly(List.of(0L));
    QueryResult types =
        p.sql(
            "SELECT typeof(start_time), typeof(duration), typeof(billabledurationminutes), "
                + "typeof(streaming), typeof(year), typeof(hour) FROM processed_cdrs LIMIT 1");
    assertThat(types.rows().get(0))
        .containsExactly("TIMESTAMP", "BIGINT", "DOUBLE", "BOOLEAN", "INTEGER", "VARCHAR");
    assertThat(
            p.count("SELECT count(*) FROM processed_cdrs WHERE hour <> strftime(start_time, '%H')"))
        .isZero();
    assertThat(
            p.count(
                "SELECT count(*) FROM processed_cdrs WHERE source_key NOT LIKE 'Amazon-Chime-Voice-Connector-CDRs/json/%'"))
        .isZero();
  }

  @Test
  void reRunningADayReplacesItAndNeverDuplicates() throws Exception {
    Pipeline p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(DAY1, 300, 2, 5, 0, null);
    p.etl().runDay(DAY1, 3);
    String sum1 =
        p.sql("SELECT sum(duration), count(*), count(DISTINCT callid) FROM processed_cdrs")
            .rows()
            .toString();
    p.etl().runDay(DAY1, 3);
    p.etl().runDay(DAY1, 1);
    String sum2 =
        p.sql("SELECT sum(duration), count(*), count(DISTINCT callid) FROM processed_cdrs")
            .rows()
            .toString();
    assertThat(sum2).isEqualTo(sum1);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(300);
    // the day is one file; the replaced ones stay until their snapshots expire, for queries
    // planned on them, and then go
    assertThat(p.dayFiles(DAY1)).hasSize(1);
    assertThat(p.catalog.processedDay(DAY1).orElseThrow().files()).hasSize(1);
    assertThat(dataFiles(p)).hasSize(3);
    p.table().iceberg().maintain(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2)));
    assertThat(dataFiles(p)).containsExactlyElementsOf(p.dayFiles(DAY1));
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(300);
  }

  static List<Path> dataFiles(Pipeline p) throws Exception {
    return RawFiles.files(p.processed.root().resolve("processed_cdrs/data")).stream()
        .filter(f -> f.getFileName().toString().endsWith(".parquet"))
        .toList();
  }

  @Test
  void lateFilesArePickedUpByTheNextRunAndFullSkipsUnchangedDays() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY1, 200, 2, 1, 0, null);
    gen.generate(DAY2, 100, 2, 2, 0, null);
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);

    EtlSummary first = p.etl().runFull(4, false);
    assertThat(first.daysProcessed()).isEqualTo(2);
    EtlSummary again = p.etl().runFull(4, false);
    assertThat(again.daysSkipped()).isEqualTo(2);
    assertThat(again.daysProcessed()).isZero();

    // late files arrive in day 1 after it was processed
    gen.generate(DAY1, 50, 2, 99, 0, null);
    EtlSummary late = p.etl().runFull(4, false);
    assertThat(late.days())
        .extracting(DaySummary::day, DaySummary::skipped)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(DAY1, false),
            org.assertj.core.groups.Tuple.tuple(DAY2, true));
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 26")).isEqualTo(250);

    EtlSummary forced = p.etl().runFull(4, true);
    assertThat(forced.daysProcessed()).isEqualTo(2);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(350);

    // a late file in day 2 is picked up by the daily run of that day
    gen.generate(DAY2, 10, 2, 77, 0, null);
    p.etl().runDay(DAY2, 2);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 27")).isEqualTo(110);
  }

  @Test
  void fullRedoesAnUnchangedDayWhoseCommittedFileWasDeleted() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY1, 40, 2, 1, 0, null);
    gen.generate(DAY2, 30, 2, 2, 0, null);
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    p.etl().runFull(2, false);
    String lost = p.catalog.processedDay(DAY1).orElseThrow().files().get(0).key();
    Files.delete(p.file(lost));

    List<String> messages = new ArrayList<>();
    EtlSummary s =
        p.etl(
                new EtlListener() {
                  @Override
                  public void message(String m) {
                    messages.add(m);
                  }
                })
            .runFull(2, false);
    assertThat(s.days())
        .extracting(DaySummary::day, DaySummary::skipped)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(DAY1, false),
            org.assertj.core.groups.Tuple.tuple(DAY2, true));
    assertThat(messages).anyMatch(m -> m.contains(lost) && m.contains("missing"));
    String key = p.catalog.processedDay(DAY1).orElseThrow().files().get(0).key();
    assertThat(p.file(key)).exists();
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(70);
    assertThat(p.etl().runFull(2, false).daysSkipped()).isEqualTo(2);
  }

  @Test
  void badFilesAreQuarantinedWithReasonsAndTheRestLands() throws Exception {
    Pipeline p = new Pipeline(tmp);
    String prefix = RawLayout.dayPrefix("vc1", DAY1);
    Map<String, String> files = new HashMap<>();
    files.put("empty", "");
    files.put("notjson", "hello");
    files.put("array", "[1,2]");
    files.put("nocallid", "{\"StartTimeEpochSeconds\": 1764201600}");
    files.put("nullcallid", "{\"CallId\": null, \"StartTimeEpochSeconds\": 1764201600}");
    files.put("nostart", "{\"CallId\": \"x\"}");
    files.put("badtype", "{\"CallId\": \"x\", \"StartTimeEpochSeconds\": \"yesterday\"}");
    files.put("truncated", "{\"CallId\": \"x\", \"StartTime");
    files.put(
        "good1.json",
        "{\"CallId\": \"g1\", \"StartTimeEpochSeconds\": \"1764201600\", \"BillableDurationSeconds\": \"24\","
            + " \"BillableDurationMinutes\": \".4\", \"Streaming\": \"true\", \"DestinationPhoneNumber\": \"13605551214\"}");
    files.put(
        "good2",
        "{\"CallId\": \"g2\", \"StartTimeEpochSeconds\": 1764201600, \"EndTimeEpochSeconds\": 1764201660,"
            + " \"SourcePhoneNumberName\": null, \"VoiceConnectorId\": \"vc1\"}");
    for (Map.Entry<String, String> f : files.entrySet()) {
      p.cdr.put(prefix + f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8));
    }
    byte[] before = Files.readAllBytes(p.cdrRoot().resolve(prefix + "badtype"));

    EtlSummary s = p.etl().runDay(DAY1, 3);
    assertThat(s.rowsWritten()).isEqualTo(2);
    assertThat(s.rejected()).isEqualTo(8);
    List<QuarantinedFile> q = p.catalog.quarantine(Optional.of(DAY1));
    Map<String, String> reasons =
        q.stream()
            .collect(
                Collectors.toMap(
                    f -> f.sourceKey().substring(prefix.length()), QuarantinedFile::reason));
    assertThat(reasons.keySet())
        .containsExactlyInAnyOrder(
            "empty",
            "notjson",
            "array",
            "nocallid",
            "nullcallid",
            "nostart",
            "badtype",
            "truncated");
    assertThat(reasons.get("empty")).contains("empty");
    assertThat(reasons.get("badtype")).contains("StartTimeEpochSeconds").contains("yesterday");
    assertThat(reasons.get("nocallid")).contains("CallId");
    assertThat(reasons.get("array")).contains("not a JSON object");

    QueryResult g1 =
        p.sql(
            "SELECT billabledurationseconds, billabledurationminutes, streaming, npanxx, duration, "
                + "sourcephonenumbername FROM processed_cdrs WHERE callid = 'g1'");
    assertThat(g1.rows().get(0)).containsExactly(24L, 0.4, true, "360555", null, null);
    assertThat(p.count("SELECT duration FROM processed_cdrs WHERE callid = 'g2'")).isEqualTo(60);
    assertThat(Files.readAllBytes(p.cdrRoot().resolve(prefix + "badtype")))
        .isEqualTo(before); // raw untouched
    assertThat(RawFiles.files(p.cdrRoot())).hasSize(10);
  }

  @Test
  void aFieldFromANewerSchemaVersionBecomesANullableColumn() throws Exception {
    Pipeline p = new Pipeline(tmp);
    String prefix = RawLayout.dayPrefix("vc1", DAY1);
    p.cdr.put(
        prefix + "old",
        ("{\"CallId\": \"old\", \"SchemaVersion\": \"1.0\", \"StartTimeEpochSeconds\": 1764201600}")
            .getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(DAY1, 2);
    p.cdr.put(
        RawLayout.dayPrefix("vc1", DAY2) + "new",
        ("{\"CallId\": \"new\", \"SchemaVersion\": \"3.0\", "
                + "\"StartTimeEpochSeconds\": 1764288000, \"MediaRegion\": \"us-west-2\", \"HoldSeconds\": 12, "
                + "\"Tags\": {\"team\": \"sales\"}}")
            .getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(DAY2, 2);

    QueryResult r =
        p.sql(
            "SELECT callid, mediaregion, holdseconds, tags, billabledurationminutes FROM processed_cdrs ORDER BY callid");
    assertThat(r.rows()).hasSize(2);
    assertThat(r.rows().get(0))
        .containsExactly("new", "us-west-2", 12L, "{\"team\":\"sales\"}", null);
    assertThat(r.rows().get(1)).containsExactly("old", null, null, null, null);
    List<String> columns =
        p.catalog.columns(ProcessedSchema.TABLE).stream().map(CatalogColumn::name).toList();
    assertThat(columns).contains("mediaregion", "holdseconds", "tags");
    assertThat(p.catalog.schemaChanges(ProcessedSchema.TABLE))
        .filteredOn(c -> c.kind() == SchemaChange.Kind.ADDED && c.column().equals("holdseconds"))
        .hasSize(1);
  }

  /**
   * A column's type never changes (Iceberg widens only int to long and float to double): values of
   * a later day that do not fit it land, as their JSON text, in {@code <column>_text}; values that
   * fit (an integer in a DOUBLE column) stay in the column. Nothing fails, nothing is lost.
   */
  @Test
  void aFieldWhoseValuesLaterConflictWithItsColumnTypeKeepsEveryValue() throws Exception {
    Pipeline p = new Pipeline(tmp);
    p.cdr.put(
        RawLayout.dayPrefix("vc1", DAY1) + "a",
        ("{\"CallId\": \"a\", \"StartTimeEpochSeconds\": 1764201600, "
                + "\"Carrier\": 42, \"Rate\": 0.5, \"Flag\": true}")
            .getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(DAY1, 2);
    assertThat(p.table().iceberg().columns())
        .containsEntry("carrier", io.cdrpipeline.model.ColumnType.BIGINT)
        .containsEntry("rate", io.cdrpipeline.model.ColumnType.DOUBLE)
        .containsEntry("flag", io.cdrpipeline.model.ColumnType.BOOLEAN);
    String d2 = RawLayout.dayPrefix("vc1", DAY2);
    p.cdr.put(
        d2 + "b",
        ("{\"CallId\": \"b\", \"StartTimeEpochSeconds\": 1764288000, \"Carrier\": \"att\", "
                + "\"Rate\": 2, \"Flag\": \"maybe\"}")
            .getBytes(StandardCharsets.UTF_8));
    p.cdr.put(
        d2 + "c",
        ("{\"CallId\": \"c\", \"StartTimeEpochSeconds\": 1764288001, \"Carrier\": 7, "
                + "\"Rate\": 1.25, \"Flag\": false}")
            .getBytes(StandardCharsets.UTF_8));
    p.cdr.put(
        d2 + "d",
        ("{\"CallId\": \"d\", \"StartTimeEpochSeconds\": 1764288002, \"Carrier\": {\"name\": \"x\"}}")
            .getBytes(StandardCharsets.UTF_8));
    EtlSummary s = p.etl().runDay(DAY2, 2);
    assertThat(s.rejected()).isZero();
    assertThat(p.table().iceberg().columns())
        .containsEntry("carrier", io.cdrpipeline.model.ColumnType.BIGINT)
        .containsEntry("carrier_text", io.cdrpipeline.model.ColumnType.VARCHAR)
        .containsEntry("flag_text", io.cdrpipeline.model.ColumnType.VARCHAR)
        .doesNotContainKey("rate_text");
    QueryResult r =
        p.sql(
            "SELECT callid, carrier, carrier_text, rate, flag, flag_text FROM processed_cdrs ORDER BY callid");
    assertThat(r.rows())
        .containsExactly(
            Arrays.asList("a", 42L, null, 0.5, true, null),
            Arrays.asList("b", null, "att", 2.0, null, "maybe"),
            Arrays.asList("c", 7L, null, 1.25, false, null),
            Arrays.asList("d", null, "{\"name\":\"x\"}", null, null, null));
    // a third day without conflicts leaves the text columns empty, and the first day is as it was
    p.cdr.put(
        RawLayout.dayPrefix("vc1", DAY1.plusDays(2)) + "e",
        ("{\"CallId\": \"e\", " + "\"StartTimeEpochSeconds\": 1764374400, \"Carrier\": 9}")
            .getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(DAY1.plusDays(2), 2);
    assertThat(
            p.sql(
                    "SELECT carrier, carrier_text FROM processed_cdrs WHERE callid IN ('a', 'e') ORDER BY callid")
                .rows())
        .containsExactly(Arrays.asList(42L, null), Arrays.asList(9L, null));
  }

  /**
   * A value whose own type does not fit its column's goes to {@code <column>_text} as it was
   * written, even when a cast could force it into the column: 1.5 is not rounded into a BIGINT
   * column, neither "4.5" nor true nor "0x10" becomes a number, "yes" and 1 do not become true.
   */
  @Test
  void aValueACastCouldForceIntoItsColumnIsKeptAsTextNotConverted() throws Exception {
    Pipeline p = new Pipeline(tmp);
    p.cdr.put(
        RawLayout.dayPrefix("vc1", DAY1) + "a",
        ("{\"CallId\": \"a\", \"StartTimeEpochSeconds\": 1764201600, "
                + "\"Carrier\": 42, \"Flag\": true}")
            .getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(DAY1, 2);
    String d2 = RawLayout.dayPrefix("vc1", DAY2);
    String[][] values = {
      {"b", "1.5", "\"yes\""},
      {"c", "\"4.5\"", "1"},
      {"d", "true", "\"t\""},
      {"e", "\"0x10\"", "false"},
      {"f", "1.0E16", "0.5"},
      {"g", "8", "\"1\""}
    };
    for (String[] v : values) {
      p.cdr.put(
          d2 + v[0],
          ("{\"CallId\": \""
                  + v[0]
                  + "\", \"StartTimeEpochSeconds\": 1764288000, \"Carrier\": "
                  + v[1]
                  + ", \"Flag\": "
                  + v[2]
                  + "}")
              .getBytes(StandardCharsets.UTF_8));
    }
    p.etl().runDay(DAY2, 2);
    QueryResult r =
        p.sql(
            "SELECT callid, carrier, carrier_text, flag, flag_text FROM processed_cdrs WHERE day = "
                + DAY2.getDayOfMonth()
                + " ORDER BY callid");
    assertThat(r.rows())
        .containsExactly(
            Arrays.asList("b", null, "1.5", null, "yes"),
            Arrays.asList("c", null, "4.5", null, "1"),
            Arrays.asList("d", null, "true", null, "t"),
            Arrays.asList("e", null, "0x10", false, null),
            Arrays.asList("f", null, "10000000000000000.0", null, "0.5"),
            Arrays.asList("g", 8L, null, null, "1"));
  }

  @Test
  void aMissingBucketFailsAndAnEmptyDayIsRefusedWithNothingRecorded() throws Exception {
    Pipeline p = new Pipeline(tmp);
    assertThatThrownBy(() -> p.etl().runDay(DAY1, 2))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("cannot read CDR bucket");
    Files.createDirectories(p.cdrRoot());
    assertThatThrownBy(() -> p.etl().runDay(DAY1, 2))
        .isInstanceOf(DayRefusedException.class)
        .hasMessage(
            "ETL of "
                + DAY1
                + " refused: no raw CDR files for "
                + DAY1
                + " in "
                + p.cdrRoot()
                + ": nothing processed, nothing recorded");
    assertThat(p.catalog.processedDay(DAY1)).isEmpty();
    assertThat(p.table().iceberg().refresh().currentSnapshotId()).isEmpty();
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isZero();
  }

  @Test
  void onlyTheRequestedDayIsListed() throws Exception {
    Path dir = tmp;
    io.cdrpipeline.testing.CountingStore counting =
        new io.cdrpipeline.testing.CountingStore(new LocalStore(dir.resolve("data/cdr-bucket")));
    Pipeline p = new Pipeline(dir, counting);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY1, 20, 2, 1, 0, null);
    gen.generate(DAY2, 20, 2, 1, 0, null);
    counting.listings.clear();
    p.etl().runDay(DAY2, 2);
    assertThat(counting.listings)
        .allMatch(l -> l.equals(RawLayout.ROOT) || l.contains("/2026/11/27/"));
    assertThat(counting.listings).noneMatch(l -> l.contains("/2026/11/26"));
  }

  /** The rows of a statement run by a DuckDB of its own, outside the product's query sandbox. */
  private List<List<Object>> fileRows(String sql) throws Exception {
    try (Connection c = io.cdrpipeline.duckdb.DuckDb.open("256MB", tmp.resolve("duck-rows"), 1);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }
}
