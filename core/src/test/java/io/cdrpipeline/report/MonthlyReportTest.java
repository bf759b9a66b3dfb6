package io.cdrpipeline.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.Pipeline;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonthlyReportTest {
  /** Days chosen to catch a filter that mixes years or matches month 1 against 10, 11 and 12. */
  static final List<LocalDate> DAYS =
      List.of(
          LocalDate.of(2025, 12, 31),
          LocalDate.of(2026, 1, 1),
          LocalDate.of(2026, 1, 20), // year boundary
          LocalDate.of(2024, 2, 1),
          LocalDate.of(2024, 2, 29), // leap day
          LocalDate.of(2025, 5, 15),
          LocalDate.of(2026, 5, 15), // same month, two years
          LocalDate.of(2026, 10, 10),
          LocalDate.of(2026, 11, 3)); // two-digit months next to January

  static final List<YearMonth> MONTHS_WITH_DATA =
      DAYS.stream().map(YearMonth::from).distinct().toList();
  static final Pattern NORTH_AMERICAN = Pattern.compile("\\+?(1\\d{10})");
  static final String NPANXX_HEADER = "npanxx,TotalDuration,CallCount";
  static final String SUMMARY_HEADER =
      "voiceconnectorid,direction,status,calls,total_duration,billable_minutes";

  @TempDir static Path tmp;
  static Pipeline pipeline;
  static LocalStore reports;
  static Map<YearMonth, List<JsonNode>> rawByMonth;

  @BeforeAll
  static void buildPipeline() throws Exception {
    pipeline = new Pipeline(tmp.resolve("pipeline"));
    CdrGenerator gen = new CdrGenerator(pipeline.cdr);
    for (LocalDate day : DAYS) {
      gen.generate(day, 120, 3, 7, 0, null);
      pipeline.etl().runDay(day, 2);
    }
    reports = new LocalStore(tmp.resolve("reports"));
    rawByMonth = rawRecordsByMonth(pipeline.cdrRoot());
  }

  @Test
  void everyMonthMatchesNumbersComputedFromTheRawFiles() throws Exception {
    assertThat(rawByMonth.keySet()).containsExactlyInAnyOrderElementsOf(MONTHS_WITH_DATA);
    for (YearMonth m : MONTHS_WITH_DATA) {
      ReportResult r = run(m);
      List<JsonNode> raw = rawByMonth.get(m);

      assertThat(r.month()).isEqualTo(m);
      assertThat(r.npanxxKey()).isEqualTo("reports/" + m + "/npanxx.csv");
      assertThat(r.summaryKey()).isEqualTo("reports/" + m + "/summary.csv");
      assertThat(r.calls()).as("calls in %s", m).isEqualTo(raw.size());

      List<List<String>> npanxx = csv(r.npanxxKey());
      assertThat(npanxx.get(0)).containsExactly("npanxx", "TotalDuration", "CallCount");
      List<List<String>> expected = expectedNpanxx(raw);
      assertThat(npanxx.subList(1, npanxx.size())).as("npanxx.csv of %s", m).isEqualTo(expected);
      assertThat(r.npanxxRows()).isEqualTo(npanxx.size() - 1);
      // the counts add up to the month's calls, and some npanxx has several (the starter kit
      // printed 1)
      assertThat(expected.stream().mapToLong(row -> Long.parseLong(row.get(2))).sum())
          .isEqualTo(raw.size());
      assertThat(expected)
          .as("an npanxx with more than one call in %s", m)
          .anyMatch(row -> !row.get(0).isEmpty() && Long.parseLong(row.get(2)) > 1);

      List<List<String>> summary = csv(r.summaryKey());
      assertThat(summary.get(0))
          .containsExactly(
              "voiceconnectorid",
              "direction",
              "status",
              "calls",
              "total_duration",
              "billable_minutes");
      assertThat(summary.subList(1, summary.size()))
          .as("summary.csv of %s", m)
          .isEqualTo(expectedSummary(raw));
      assertThat(r.summaryRows()).isEqualTo(summary.size() - 1);
    }
  }

  @Test
  void npanxxSqlCountsTheCallsOfEachNpanxxFilteredOnYearAndMonthAsIntegers() {
    assertThat(MonthlyReport.npanxxSql(YearMonth.of(2026, 5)))
        .isEqualTo(
            "SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(*) AS CallCount"
                + " FROM processed_cdrs WHERE year = 2026 AND month = 5"
                + " GROUP BY npanxx ORDER BY npanxx NULLS LAST");
    assertThat(MonthlyReport.npanxxKey(YearMonth.of(2026, 10)))
        .isEqualTo("reports/2026-10/npanxx.csv");
    assertThat(MonthlyReport.summaryKey(YearMonth.of(2026, 1)))
        .isEqualTo("reports/2026-01/summary.csv");
  }

  @Test
  void aMonthWithoutDataWritesHeaderOnlyFiles() throws Exception {
    // 2024-05 and 2025-01 have data in other years; 2026-12 has data in other months named 1x
    for (YearMonth m :
        List.of(
            YearMonth.of(2024, 5),
            YearMonth.of(2025, 1),
            YearMonth.of(2026, 12),
            YearMonth.of(2023, 2))) {
      ReportResult r = run(m);
      assertThat(r.npanxxRows()).isZero();
      assertThat(r.summaryRows()).isZero();
      assertThat(r.calls()).isZero();
      assertThat(text(r.npanxxKey())).isEqualTo(NPANXX_HEADER + "\n");
      assertThat(text(r.summaryKey())).isEqualTo(SUMMARY_HEADER + "\n");
    }
  }

  @Test
  void anEmptyTableWritesHeaderOnlyFiles() throws Exception {
    Pipeline empty = new Pipeline(tmp.resolve("empty"));
    LocalStore out = new LocalStore(tmp.resolve("empty-reports"));
    try (QueryEngine engine = empty.query()) {
      ReportResult r = new MonthlyReport(engine, out).run(YearMonth.of(2026, 10));
      assertThat(r.calls()).isZero();
    }
    assertThat(new String(out.read("reports/2026-10/npanxx.csv"), StandardCharsets.UTF_8))
        .isEqualTo(NPANXX_HEADER + "\n");
    assertThat(new String(out.read("reports/2026-10/summary.csv"), StandardCharsets.UTF_8))
        .isEqualTo(SUMMARY_HEADER + "\n");
  }

  @Test
  void theCsvIsPlainNullIsAnEmptyFieldAndARerunReplacesTheFiles() throws Exception {
    YearMonth m = YearMonth.of(2026, 10);
    reports.put(
        MonthlyReport.npanxxKey(m),
        "stale,content,that,is,longer,than,the,report\n"
            .repeat(10_000)
            .getBytes(StandardCharsets.UTF_8));
    ReportResult first = run(m);
    String npanxx = text(first.npanxxKey());
    assertThat(npanxx)
        .startsWith(NPANXX_HEADER + "\n")
        .doesNotContain("\"", "stale")
        .endsWith("\n");
    // international destinations have no npanxx: one group, last, with an empty first field
    String[] lines = npanxx.split("\n");
    assertThat(lines[lines.length - 1]).matches(",\\d+,[1-9]\\d*");
    assertThat(Stream.of(lines).skip(1).limit(lines.length - 2))
        .allMatch(l -> l.matches("\\d{6},\\d+,[1-9]\\d*"));
    assertThat(text(first.summaryKey())).doesNotContain("\"");

    ReportResult again = run(m);
    assertThat(again).isEqualTo(first);
    assertThat(text(again.npanxxKey())).isEqualTo(npanxx);
    assertThat(reports.listAll("reports/" + m)).hasSize(2); // no temporary files left behind
  }

  private static ReportResult run(YearMonth m) throws IOException {
    try (QueryEngine engine = pipeline.query()) {
      return new MonthlyReport(engine, reports).run(m);
    }
  }

  private static String text(String key) throws IOException {
    return new String(reports.read(key), StandardCharsets.UTF_8);
  }

  private static List<List<String>> csv(String key) throws IOException {
    CsvMapper mapper = new CsvMapper();
    mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
    List<List<String>> rows = new ArrayList<>();
    try (MappingIterator<List<String>> it =
        mapper.readerForListOf(String.class).readValues(reports.read(key))) {
      while (it.hasNext()) {
        rows.add(it.next());
      }
    }
    return rows;
  }

  /** Calls and total duration per npanxx (null last), counted from the raw records. */
  private static List<List<String>> expectedNpanxx(List<JsonNode> raw) {
    Map<String, long[]> groups = new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
    for (JsonNode r : raw) {
      long[] g =
          groups.computeIfAbsent(
              npanxx(r.path("DestinationPhoneNumber").asText()), k -> new long[2]);
      g[0] += duration(r);
      g[1]++;
    }
    return groups.entrySet().stream()
        .map(
            e ->
                List.of(
                    e.getKey() == null ? "" : e.getKey(),
                    Long.toString(e.getValue()[0]),
                    Long.toString(e.getValue()[1])))
        .collect(Collectors.toList());
  }

  private static List<List<String>> expectedSummary(List<JsonNode> raw) {
    record Group(long calls, long duration, BigDecimal minutes) {}
    Map<List<String>, Group> groups =
        new TreeMap<>(
            Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1))
                .thenComparing(k -> k.get(2)));
    for (JsonNode r : raw) {
      List<String> key =
          List.of(
              r.get("VoiceConnectorId").asText(),
              r.get("Direction").asText(),
              r.get("Status").asText());
      // a record of schema 1.0 has no minutes: it adds nothing, and a group of only those has none
      BigDecimal minutes =
          r.has("BillableDurationMinutes")
              ? new BigDecimal(r.get("BillableDurationMinutes").asText())
              : null;
      groups.merge(
          key,
          new Group(1, duration(r), minutes),
          (a, b) ->
              new Group(
                  a.calls + b.calls,
                  a.duration + b.duration,
                  a.minutes == null
                      ? b.minutes
                      : b.minutes == null ? a.minutes : a.minutes.add(b.minutes)));
    }
    List<List<String>> rows = new ArrayList<>();
    groups.forEach(
        (k, g) -> {
          List<String> row = new ArrayList<>(k);
          row.add(Long.toString(g.calls));
          row.add(Long.toString(g.duration));
          row.add(
              g.minutes == null
                  ? ""
                  : g.minutes.signum() == 0 ? "0" : g.minutes.stripTrailingZeros().toPlainString());
          rows.add(row);
        });
    return rows;
  }

  private static String npanxx(String number) {
    Matcher m = NORTH_AMERICAN.matcher(number);
    return m.matches() ? m.group(1).substring(1, 7) : null;
  }

  private static long duration(JsonNode r) {
    return r.get("EndTimeEpochSeconds").asLong() - r.get("StartTimeEpochSeconds").asLong();
  }

  /** Every raw record, by the month of the day folder it was delivered in. */
  private static Map<YearMonth, List<JsonNode>> rawRecordsByMonth(Path root) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Pattern day = Pattern.compile(".*/(\\d{4})/(\\d{2})/(\\d{2})/[^/]+$");
    Map<YearMonth, List<JsonNode>> byMonth = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        Matcher m = day.matcher(f.toString().replace('\\', '/'));
        assertThat(m.matches()).as("raw file in a day folder: %s", f).isTrue();
        YearMonth month = YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        byMonth.computeIfAbsent(month, k -> new ArrayList<>()).add(json.readTree(f.toFile()));
      }
    }
    return byMonth;
  }
}
