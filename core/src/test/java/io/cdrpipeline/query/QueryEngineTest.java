package io.cdrpipeline.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryEngineTest {
  @TempDir Path tmp;

  @Test
  void tablesExistBeforeAnyDataWithTheirColumns() {
    Pipeline p = new Pipeline(tmp);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isZero();
    assertThat(p.count("SELECT count(*) FROM cdrs.processed_cdrs")).isZero();
    assertThat(p.count("SELECT count(*) FROM cdrs.quarantined_cdrs")).isZero();
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs")).isZero();
    QueryResult cols = p.sql("DESCRIBE processed_cdrs");
    assertThat(cols.rows().stream().map(r -> r.get(0)).collect(Collectors.toList()))
        .contains("callid", "npanxx", "duration", "hour", "start_time", "year", "month", "day");
  }

  @Test
  void filtersOnPartitionsReadOnlyThoseDays() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    for (int d = 1; d <= 3; d++) {
      gen.generate(LocalDate.of(2026, 10, d), 30, 1, d, 0, null);
      p.etl().runDay(LocalDate.of(2026, 10, d), 1);
    }
    // a simple filter: the view holds only that day's file
    String plan =
        p.sql(
                "EXPLAIN ANALYZE SELECT sum(duration) FROM processed_cdrs WHERE year = 2026 AND month = 10 AND day = 2")
            .rows()
            .toString();
    assertThat(plan).contains("Total Files Read: 1").doesNotContain("Total Files Read: 3");
    // one the engine cannot take apart: DuckDB prunes the files by their folder names
    plan =
        p.sql(
                "EXPLAIN ANALYZE SELECT sum(duration) FROM processed_cdrs WHERE day = 2 OR (day = 3 AND month = 10)")
            .rows()
            .toString();
    assertThat(plan).contains("Scanning Files: 2/3");
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 2")).isEqualTo(30);
  }

  @Test
  void badSqlAndUnknownTablesGiveOneLine() {
    Pipeline p = new Pipeline(tmp);
    assertThatThrownBy(() -> p.sql("SELECT * FROM no_such_table"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("no_such_table")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> p.sql("SELECT FROM WHERE"))
        .isInstanceOf(QueryException.class)
        .satisfies(
            e -> assertThat(e.getMessage()).doesNotContain("\n").containsIgnoringCase("syntax"));
    assertThatThrownBy(() -> p.sql("COPY processed_cdrs TO '/tmp/x.csv'"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("read-only");
  }

  Pipeline threeDays() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    for (int d = 1; d <= 3; d++) {
      gen.generate(LocalDate.of(2026, 10, d), 30, 2, d, 0, null);
    }
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    for (int d = 1; d <= 3; d++) {
      p.etl().runDay(LocalDate.of(2026, 10, d), 1);
    }
    return p;
  }

  @Test
  void theRawTableIsBoundOnlyWhenAQueryNamesItAndOnlyOverTheDaysItsFiltersAllow() throws Exception {
    Pipeline p = threeDays();
    // each statement has a database of its own: the view it reads is shown by the same statement
    String rawView =
        "(SELECT sql FROM duckdb_views() WHERE schema_name = 'cdrs' "
            + "AND view_name = 'amazon_chime_voice_connector_cdrs') AS v";
    try (QueryEngine q = p.query()) {
      List<Object> processed =
          q.query("SELECT sum(duration) > 0 AS b, " + rawView + " FROM processed_cdrs")
              .rows()
              .get(0);
      assertThat(processed.get(0)).isEqualTo(true);
      assertThat(processed.get(1).toString()).doesNotContain("read_text");

      List<Object> some =
          q.query(
                  "SELECT count(*) AS n, any_value("
                      + rawView.replace(" AS v", "")
                      + ") AS v "
                      + "FROM amazon_chime_voice_connector_cdrs WHERE year = 2026 AND month = 10 AND day >= 2")
              .rows()
              .get(0);
      assertThat(((Number) some.get(0)).longValue()).isEqualTo(60);
      assertThat(some.get(1).toString())
          .contains("read_text")
          .contains("/2026/10/02/*")
          .contains("/2026/10/03/*")
          .doesNotContain("/2026/10/01/*");

      List<Object> all =
          q.query(
                  "SELECT count(*) AS n, any_value("
                      + rawView.replace(" AS v", "")
                      + ") AS v "
                      + "FROM amazon_chime_voice_connector_cdrs")
              .rows()
              .get(0);
      assertThat(((Number) all.get(0)).longValue()).isEqualTo(90);
      assertThat(all.get(1).toString()).contains("/2026/10/01/*");
    }
  }

  @Test
  void aProcessedFileDeletedByHandFailsOnlyTheQueriesThatNeedItsDay() throws Exception {
    Pipeline p = threeDays();
    LocalDate gone = LocalDate.of(2026, 10, 1);
    String key = p.catalog.processedDay(gone).orElseThrow().files().get(0).key();
    Files.delete(p.file(key));
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 2")).isEqualTo(30);
    assertThat(
            p.count(
                "SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 10 AND day IN (2, 3)"))
        .isEqualTo(60);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE month = 11")).isZero();
    assertThatThrownBy(() -> p.sql("SELECT count(*) FROM processed_cdrs"))
        .isInstanceOf(QueryException.class)
        .hasMessage(
            "the processed file "
                + key
                + " of 2026-10-01 is missing: rebuild the day with "
                + "'cdr etl --date 2026-10-01' (or filter the query to other days)");
  }

  @Test
  void theRawTableReadsWhatTheEtlReadsNeverALinkAPipeOrAnOversizedFile() throws Exception {
    Pipeline p = new Pipeline(tmp);
    LocalDate day = LocalDate.of(2026, 10, 1);
    new CdrGenerator(p.cdr).generate(day, 20, 1, 3, 0, null);
    String vc = p.cdr.listFolders(io.cdrpipeline.model.RawLayout.ROOT).get(0);
    Path folder = p.cdr.localPath(io.cdrpipeline.model.RawLayout.dayPrefix(vc, day)).orElseThrow();
    Path outside = tmp.resolve("secret.json");
    Files.writeString(outside, "{\"CallId\":\"stolen\",\"StartTimeEpochSeconds\":1790000000}");
    Files.createSymbolicLink(folder.resolve("link-out"), outside);
    Files.createSymbolicLink(
        folder.resolve("link-in"),
        folder.resolve(
            Files.list(folder)
                .filter(f -> !f.getFileName().toString().startsWith("link"))
                .findFirst()
                .orElseThrow()
                .getFileName()));
    new ProcessBuilder("mkfifo", folder.resolve("pipe").toString()).start().waitFor();
    Files.writeString(
        folder.resolve(".hidden"), "{\"CallId\":\"hidden\",\"StartTimeEpochSeconds\":1790000000}");
    Files.writeString(
        folder.resolve("huge"),
        "{\"CallId\":\"huge\",\"StartTimeEpochSeconds\":1790000000,\"x\":\""
            + "a".repeat(io.cdrpipeline.model.InputLimits.MAX_FILE_BYTES)
            + "\"}");
    Files.createDirectories(folder.resolve("sub"));
    Files.writeString(
        folder.resolve("sub/nested"),
        "{\"CallId\":\"nested\",\"StartTimeEpochSeconds\":1790000000}");
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs")).isEqualTo(21);
    assertThat(
            p.count(
                "SELECT count(*) FROM amazon_chime_voice_connector_cdrs WHERE callid IN ('stolen', 'hidden', 'huge')"))
        .isZero();
    assertThat(
            p.count(
                "SELECT count(*) FROM amazon_chime_voice_connector_cdrs WHERE callid = 'nested'"))
        .isEqualTo(1);
  }
}
