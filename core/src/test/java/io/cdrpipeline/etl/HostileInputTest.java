package io.cdrpipeline.etl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.report.ReportResult;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.Pipeline;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One hostile CDR never breaks the tables and never fails a day: odd field names, names of the
 * tables' own columns, huge files and fields, thousands of fields.
 */
class HostileInputTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 19);
  static final long START = 1795219200L; // 2026-11-19T00:00:00Z
  static final String PREFIX = RawLayout.dayPrefix("vc1", DAY);

  @TempDir Path tmp;

  private static void put(Pipeline p, String name, String json) throws Exception {
    p.cdr.put(PREFIX + name, json.getBytes(UTF_8));
  }

  /** Five ordinary records, g0 to g4. */
  private static void goodRecords(Pipeline p) throws Exception {
    for (int i = 0; i < 5; i++) {
      put(
          p,
          "good-" + i,
          "{\"CallId\":\"g"
              + i
              + "\",\"StartTimeEpochSeconds\":"
              + (START + i)
              + ",\"EndTimeEpochSeconds\":"
              + (START + i + 60)
              + ",\"DestinationPhoneNumber\":\"+15035550123\"}");
    }
  }

  private static void crawlEtlCrawl(Pipeline p) throws Exception {
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    p.etl().runDay(DAY, 2);
    p.crawler().crawlProcessed(p.table().iceberg(), false);
  }

  private static Map<String, String> reasons(Pipeline p) {
    return p.catalog.quarantine(Optional.of(DAY)).stream()
        .collect(
            Collectors.toMap(
                f -> f.sourceKey().substring(PREFIX.length()), QuarantinedFile::reason));
  }

  @Test
  void fieldNamesWithQuotesEmptyDotsSlashesUnicodeOrGreatLengthAreSafeInBothTables()
      throws Exception {
    Pipeline p = new Pipeline(tmp);
    goodRecords(p);
    put(p, "quote", "{\"CallId\":\"q1\",\"StartTimeEpochSeconds\":" + START + ",\"a\\\"b\":1}");
    put(p, "empty", "{\"CallId\":\"q2\",\"StartTimeEpochSeconds\":" + START + ",\"\":2}");
    put(
        p,
        "odd",
        "{\"CallId\":\"q3\",\"StartTimeEpochSeconds\":"
            + START
            + ",\"dotted.name\":3,\"slash/name\":4,"
            + "\"Größe\":5,\""
            + "L".repeat(200)
            + "\":6,\"tilde~name\":7}");
    put(
        p,
        "case",
        "{\"CallId\":\"q4\",\"StartTimeEpochSeconds\":" + START + ",\"Foo\":8,\"foo\":9}");

    crawlEtlCrawl(p);

    String cols =
        "callid, a_b, field, dotted_name, slash_name, gr__e, "
            + "l".repeat(128)
            + ", tilde_name, foo, foo_2";
    for (String table : List.of("processed_cdrs", "amazon_chime_voice_connector_cdrs")) {
      QueryResult r =
          p.sql("SELECT " + cols + " FROM " + table + " WHERE callid LIKE 'q%' ORDER BY callid");
      assertThat(r.rows())
          .as(table)
          .containsExactly(
              row("q1", 1L, nul(), nul(), nul(), nul(), nul(), nul(), nul(), nul()),
              row("q2", nul(), 2L, nul(), nul(), nul(), nul(), nul(), nul(), nul()),
              row("q3", nul(), nul(), 3L, 4L, 5L, 6L, 7L, nul(), nul()),
              row("q4", nul(), nul(), nul(), nul(), nul(), nul(), nul(), 8L, 9L));
    }
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(9);
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs")).isEqualTo(9);
    for (String table : List.of(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE)) {
      assertThat(p.catalog.columns(table))
          .extracting(CatalogColumn::name)
          .allMatch(n -> n.matches("[a-z_][a-z0-9_]*"), "a plain column name")
          .doesNotHaveDuplicates();
    }
    // the monthly report, which queries through the same views, works too
    LocalStore reports = new LocalStore(tmp.resolve("reports"));
    try (QueryEngine q = p.query()) {
      ReportResult report = new MonthlyReport(q, reports).run(YearMonth.of(2026, 11));
      assertThat(report).isNotNull();
    }
    assertThat(
            Files.readString(
                reports.root().resolve(MonthlyReport.npanxxKey(YearMonth.of(2026, 11)))))
        .contains("503555");
    // and a crawl of everything keeps the view working
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, true);
    assertThat(p.count("SELECT count(a_b) + count(field) FROM amazon_chime_voice_connector_cdrs"))
        .isEqualTo(2);
  }

  @Test
  void fieldsNamedLikeTheTablesOwnColumnsNeverOverrideThem() throws Exception {
    Pipeline p = new Pipeline(tmp);
    goodRecords(p);
    put(
        p,
        "own",
        "{\"CallId\":\"o1\",\"StartTimeEpochSeconds\":"
            + START
            + ",\"year\":1999,\"Month\":13,"
            + "\"day\":\"x\",\"Source_Key\":\"fake\",\"voice_connector\":\"fake-vc\",\"Duration\":5,\"npanxx\":\"000000\"}");

    crawlEtlCrawl(p);

    String raw =
        "SELECT DISTINCT year, month, day, voice_connector FROM amazon_chime_voice_connector_cdrs";
    assertThat(p.sql(raw).rows()).containsExactly(row(2026, 11, 19, "vc1"));
    assertThat(
            p.sql(
                    "SELECT field_year, field_month, field_day, field_source_key, field_voice_connector, source_key "
                        + "FROM amazon_chime_voice_connector_cdrs WHERE callid = 'o1'")
                .rows())
        .containsExactly(row(1999L, 13L, "x", "fake", "fake-vc", PREFIX + "own"));
    assertThat(
            p.sql(
                    "SELECT year, month, day, duration, npanxx, source_key, field_year, field_month, field_day, "
                        + "field_source_key, field_voice_connector, field_duration, field_npanxx FROM processed_cdrs WHERE callid = 'o1'")
                .rows())
        .containsExactly(
            row(
                2026,
                11,
                19,
                nul(),
                nul(),
                PREFIX + "own",
                1999L,
                13L,
                "x",
                "fake",
                "fake-vc",
                5L,
                "000000"));
  }

  @Test
  void aHugeFieldAHugeNestedArrayAndThousandsOfFieldsAreQuarantinedAndTheRestOfTheDayLands()
      throws Exception {
    Pipeline p = new Pipeline(tmp);
    goodRecords(p);
    String head = "{\"CallId\":\"big\",\"StartTimeEpochSeconds\":" + START + ",";
    put(p, "string-2mb", head + "\"Notes\":\"" + "x".repeat(2_000_000) + "\"}");
    Path array = p.cdrRoot().resolve(PREFIX + "array-200mb");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(array), 1 << 20)) {
      out.write((head + "\"Hops\":[").getBytes(UTF_8));
      byte[] element = "[1,2,3],".getBytes(UTF_8);
      for (int i = 0; i < 25_000_000; i++) {
        out.write(element);
      }
      out.write("[4]]}".getBytes(UTF_8));
    }
    StringBuilder fields = new StringBuilder(head.substring(0, head.length() - 1));
    for (int i = 0; i < 5000; i++) {
      fields.append(",\"f").append(i).append("\":").append(i);
    }
    put(p, "fields-5000", fields.append('}').toString());
    // within the limits: a field of almost 1 MiB, and a nested array of quotes, which staging
    // triples
    put(
        p,
        "string-1mb",
        head.replace("big", "fits") + "\"Notes\":\"" + "y".repeat(1_040_000) + "\"}");
    StringBuilder quotes = new StringBuilder(head.replace("big", "quotes") + "\"Empty\":[\"\"");
    while (quotes.length() < 1_040_000) {
      quotes.append(",\"\"");
    }
    put(p, "quotes", quotes.append("]}").toString());

    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary s = p.etl().runDay(DAY, 2);
    p.crawler().crawlProcessed(p.table().iceberg(), false);

    assertThat(s.rowsWritten()).isEqualTo(7);
    assertThat(s.rejected()).isEqualTo(3);
    Map<String, String> reasons = reasons(p);
    assertThat(reasons).containsOnlyKeys("string-2mb", "array-200mb", "fields-5000");
    assertThat(reasons.get("string-2mb"))
        .isEqualTo(
            String.format(
                "file too large: %,d bytes (the limit is 1,048,576)",
                Files.size(p.cdrRoot().resolve(PREFIX + "string-2mb"))));
    assertThat(reasons.get("array-200mb"))
        .isEqualTo(
            String.format("file too large: %,d bytes (the limit is 1,048,576)", Files.size(array)));
    assertThat(reasons.get("fields-5000"))
        .isEqualTo("too many unknown fields: more than 100 (the limit per file)");
    assertThat(p.count("SELECT length(notes) FROM processed_cdrs WHERE callid = 'fits'"))
        .isEqualTo(1_040_000);
    assertThat(p.count("SELECT length(empty) FROM processed_cdrs WHERE callid = 'quotes'"))
        .isGreaterThan(1_000_000);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE callid LIKE 'g%'")).isEqualTo(5);
    // the crawl learned nothing from the files the ETL quarantines
    assertThat(p.catalog.columns(ProcessedSchema.RAW_TABLE))
        .extracting(CatalogColumn::name)
        .contains("notes", "empty")
        .doesNotContain("hops", "f0", "f4999");
  }

  @Test
  void aDayTakesAtMost100UnknownFieldsTheMostCommonAndQuarantinesTheFilesWithOthers()
      throws Exception {
    Pipeline p = new Pipeline(tmp);
    for (int i = 0; i < 5; i++) {
      put(
          p,
          "common-" + i,
          "{\"CallId\":\"c"
              + i
              + "\",\"StartTimeEpochSeconds\":"
              + START
              + ",\"MediaRegion\":\"eu\"}");
    }
    for (String letter : List.of("a", "b", "c")) {
      StringBuilder b =
          new StringBuilder("{\"CallId\":\"" + letter + "\",\"StartTimeEpochSeconds\":" + START);
      for (int i = 0; i < 60; i++) {
        b.append(String.format(",\"%s%03d\":%d", letter, i, i));
      }
      put(p, "wide-" + letter, b.append('}').toString());
    }

    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary s = p.etl().runDay(DAY, 2);

    // 181 unknown fields: mediaregion (5 files), then by name a000-a059 and b000-b038 are kept,
    // so wide-b and wide-c are quarantined and only the fields of the rows that land are columns
    assertThat(s.rowsWritten()).isEqualTo(6);
    assertThat(s.rejected()).isEqualTo(2);
    assertThat(reasons(p))
        .containsOnly(
            Map.entry(
                "wide-b",
                "unknown field b039 is beyond the 100 unknown fields a day may add (the most common are kept)"),
            Map.entry(
                "wide-c",
                "unknown field c000 is beyond the 100 unknown fields a day may add (the most common are kept)"));
    assertThat(p.sql("SELECT callid, mediaregion, a059 FROM processed_cdrs ORDER BY callid").rows())
        .containsExactly(
            row("a", nul(), 59L),
            row("c0", "eu", nul()),
            row("c1", "eu", nul()),
            row("c2", "eu", nul()),
            row("c3", "eu", nul()),
            row("c4", "eu", nul()));
    List<String> processedColumns =
        p.catalog.columns(ProcessedSchema.TABLE).stream().map(CatalogColumn::name).toList();
    assertThat(processedColumns)
        .contains("mediaregion", "a000", "a059")
        .doesNotContain("b000", "b039", "c000");
    assertThat(processedColumns).hasSize(ProcessedSchema.COLUMNS.size() + 61);
    // the crawl keeps the same fields
    List<String> rawColumns =
        p.catalog.columns(ProcessedSchema.RAW_TABLE).stream().map(CatalogColumn::name).toList();
    List<String> expectedRaw =
        new ArrayList<>(List.of("callid", "starttimeepochseconds", "mediaregion"));
    for (int i = 0; i < 60; i++) {
      expectedRaw.add(String.format("a%03d", i));
    }
    assertThat(rawColumns).containsExactlyInAnyOrderElementsOf(expectedRaw);
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  private static Object nul() {
    return null;
  }
}
