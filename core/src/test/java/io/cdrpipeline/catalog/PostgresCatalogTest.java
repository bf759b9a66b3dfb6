package io.cdrpipeline.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.crawl.Crawler;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.Postgres;
import java.nio.file.Path;
import java.time.LocalDate;
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
    assertThat(p.database.isPostgres()).isTrue();
    new CdrGenerator(p.cdr).generate(DAY, 150, 2, 4, 3, null);
    assertThat(p.crawler().crawlRaw(p.cdr, Crawler.SOURCE_CDR, false).newPartitions()).isEqualTo(2);
    p.etl().runDay(DAY, 2);
    p.etl().runDay(DAY, 2);
    p.crawler().crawlProcessed(p.processed, false);
    assertThat(p.count("SELECT count(*) FROM cdrs.processed_cdrs")).isEqualTo(150);
    assertThat(p.count("SELECT count(*) FROM quarantined_cdrs")).isEqualTo(3);
    assertThat(p.catalog.processedDay(DAY).orElseThrow().files()).hasSize(1);
    assertThat(p.catalog.quarantine(Optional.of(DAY))).hasSize(3);
    assertThat(p.catalog.columns(ProcessedSchema.RAW_TABLE)).isNotEmpty();
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE)).hasSize(1);
    assertThat(p.etl().runFull(2, false).daysSkipped()).isEqualTo(1);
  }

  @Test
  void theDayLockIsAnAdvisoryLockAcrossConnections() throws Exception {
    String url = Postgres.freshDatabase();
    Database a = Database.open(url);
    Database b = Database.open(url);
    CountDownLatch waiting = new CountDownLatch(1);
    Future<Boolean> second;
    try (NamedLock held = NamedLock.acquire(a, "etl-day-2026-11-27", m -> {})) {
      second = Executors.newSingleThreadExecutor().submit(() -> {
        try (NamedLock l = NamedLock.acquire(b, "etl-day-2026-11-27", m -> waiting.countDown())) {
          return true;
        }
      });
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue(); // the second one waits for the first
      assertThat(second.isDone()).isFalse();
    }
    assertThat(second.get(10, TimeUnit.SECONDS)).isTrue(); // and gets it once released
  }
}
