package io.cdrpipeline.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.Postgres;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole embedded pipeline with its catalog on a real PostgreSQL (a shared deployment). */
class PostgresCatalogTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 27);

  @TempDir Path tmp;

  @Test
  void crawlEtlQueryAndRerunWorkOnPostgres() throws Exception {
    Pipeline p = new Pipeline(tmp, null, Postgres.freshDatabase());
    assertThat(p.database.dialect()).isInstanceOf(PostgresDialect.class);
    new CdrGenerator(p.cdr).generate(DAY, 150, 2, 4, 3, null);
    assertThat(p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false).newPartitions())
        .isEqualTo(2);
    p.etl().runDay(DAY, 2);
    p.etl().runDay(DAY, 2);
    p.crawler().crawlProcessed(p.table().iceberg(), false);
    assertThat(p.count("SELECT count(*) FROM cdrs.processed_cdrs")).isEqualTo(150);
    assertThat(p.count("SELECT count(*) FROM quarantined_cdrs")).isEqualTo(3);
    assertThat(p.catalog.processedDay(DAY).orElseThrow().files()).hasSize(1);
    assertThat(p.catalog.quarantine(Optional.of(DAY))).hasSize(3);
    assertThat(p.catalog.columns(ProcessedSchema.RAW_TABLE)).isNotEmpty();
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE)).hasSize(1);
    assertThat(p.etl().runFull(2, false).daysSkipped()).isEqualTo(1);
  }

  @Test
  void longOddAndUnicodeFieldNamesAndControlCharactersInValuesWorkOnPostgres() throws Exception {
    Pipeline p = new Pipeline(tmp, null, Postgres.freshDatabase());
    String prefix = RawLayout.dayPrefix("vc1", DAY);
    String start = ",\"StartTimeEpochSeconds\":1795737600";
    p.cdr.put(
        prefix + "long-name",
        ("{\"CallId\":\"a\""
                + start
                + ",\""
                + "N".repeat(255)
                + "\":1,\"Größe\":2,"
                + "\"a\\\"b\":3,\"\":4}")
            .getBytes(UTF_8));
    p.cdr.put(
        prefix + "too-long-name",
        ("{\"CallId\":\"b\"" + start + ",\"" + "N".repeat(300) + "\":1}").getBytes(UTF_8));
    p.cdr.put(
        prefix + "nul-value",
        "{\"CallId\":\"c\",\"StartTimeEpochSeconds\":\"\\u0000\"}".getBytes(UTF_8));
    p.cdr.put(
        prefix + "nul-name", ("{\"CallId\":\"d\"" + start + ",\"x\\u0000y\":1}").getBytes(UTF_8));
    p.cdr.put(prefix + "nul-text", ("{\"CallId\":\"e\\u0000e\"" + start + "}").getBytes(UTF_8));

    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary s = p.etl().runDay(DAY, 2);
    p.crawler().crawlProcessed(p.table().iceberg(), false);

    assertThat(s.rowsWritten()).isEqualTo(2);
    assertThat(p.catalog.quarantine(Optional.of(DAY)))
        .extracting(QuarantinedFile::reason)
        .containsExactlyInAnyOrder(
            "StartTimeEpochSeconds: expected a whole number, got \"\\u0000\"",
            "field name contains a NUL character: \"x\\u0000y\"",
            "field name too long: 300 characters (the limit is 255)");
    String column = "n".repeat(128);
    assertThat(
            p.sql("SELECT " + column + ", gr__e, a_b, field FROM processed_cdrs WHERE callid = 'a'")
                .rows())
        .containsExactly(List.of(1L, 2L, 3L, 4L));
    assertThat(
            p.sql(
                    "SELECT "
                        + column
                        + ", gr__e, a_b, field FROM amazon_chime_voice_connector_cdrs WHERE callid = 'a'")
                .rows())
        .containsExactly(List.of(1L, 2L, 3L, 4L));
    assertThat(p.count("SELECT length(callid) FROM processed_cdrs WHERE callid LIKE 'e%'"))
        .isEqualTo(3);
  }

  @Test
  void theDayLockIsAnAdvisoryLockAcrossConnections() throws Exception {
    String url = Postgres.freshDatabase();
    Database a = Database.open(url);
    Database b = Database.open(url);
    CountDownLatch waiting = new CountDownLatch(1);
    Future<Boolean> second;
    try (NamedLock held = NamedLock.acquire(a, "etl-day-2026-11-27", m -> {})) {
      second =
          Executors.newSingleThreadExecutor()
              .submit(
                  () -> {
                    try (NamedLock l =
                        NamedLock.acquire(b, "etl-day-2026-11-27", m -> waiting.countDown())) {
                      return true;
                    }
                  });
      assertThat(waiting.await(10, TimeUnit.SECONDS))
          .isTrue(); // the second one waits for the first
      assertThat(second.isDone()).isFalse();
    }
    assertThat(second.get(10, TimeUnit.SECONDS)).isTrue(); // and gets it once released
  }
}
