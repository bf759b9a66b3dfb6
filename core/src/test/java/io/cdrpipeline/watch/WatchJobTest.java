package io.cdrpipeline.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.TableSettings;
import io.cdrpipeline.testing.CountingStore;
import io.cdrpipeline.testing.ExternalIcebergReader;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.WatchChild;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WatchJobTest {
  static final LocalDate TODAY = LocalDate.of(2026, 12, 7);

  @TempDir Path tmp;

  @Test
  void appendsNewObjectsOnceAndAPollWithNothingNewReadsAndWritesNothing() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CountingStore raw = new CountingStore(new LocalStore(p.cdrRoot()));
    CountingStore warehouse = new CountingStore(p.processed);
    List<WatchBatch> told = new ArrayList<>();
    try (ProcessedTable table =
        new ProcessedTable(
            IcebergTable.open(TableSettings.DEFAULTS, p.database.url(), "cdrs", warehouse),
            p.catalog)) {
      WatchJob job =
          new WatchJob(
              p.catalog,
              List.of(new RawSource(ProcessedSchema.SOURCE_CDR, raw, "")),
              table,
              "256MB",
              p.config.stateDir().resolve("tmp"),
              2,
              Clock.fixed(TODAY.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC),
              (days, b) -> told.add(b),
              null);
      CdrGenerator gen = new CdrGenerator(raw);
      gen.generate(TODAY, 40, 2, 1, 0, null);
      gen.generate(TODAY.minusDays(1), 10, 1, 3, 0, null);

      WatchBatch first = job.poll().orElseThrow();
      assertThat(first.committed()).isTrue();
      assertThat(first.objects()).isEqualTo(50);
      assertThat(first.rows()).isEqualTo(50);
      assertThat(first.days()).containsExactly(TODAY.minusDays(1), TODAY);
      assertThat(told).containsExactly(first);
      assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
          .isEqualTo(new ExternalIcebergReader.Counts(50, 50, 50));
      long snapshotAfterFirst = table.iceberg().refresh().currentSnapshotId().orElseThrow();
      assertThat(table.iceberg().iceberg().currentSnapshot().summary())
          .containsEntry(WatchJob.BATCH, first.batchId().orElseThrow())
          .containsEntry(WatchJob.OBJECTS, "50");

      gen.generate(TODAY, 25, 2, 2, 0, null); // late files land between the polls
      WatchBatch second = job.poll().orElseThrow();
      assertThat(second.objects()).isEqualTo(25);
      assertThat(second.days()).containsExactly(TODAY);
      assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
          .isEqualTo(new ExternalIcebergReader.Counts(75, 75, 75));
      assertThat(table.iceberg().refresh().dayFiles(TODAY)).hasSize(2);

      raw.reads.clear();
      raw.listings.clear();
      warehouse.reads.clear();
      long snapshot = table.iceberg().refresh().currentSnapshotId().orElseThrow();
      assertThat(snapshot).isNotEqualTo(snapshotAfterFirst);
      WatchBatch idle = job.poll().orElseThrow();
      assertThat(idle.committed()).isFalse();
      assertThat(idle.listed()).isEqualTo(75);
      assertThat(raw.reads).as("an idle poll reads no raw object").isEmpty();
      assertThat(warehouse.reads).as("nor any file of the table").isEmpty();
      // it lists the connectors' folder and each connector's folder of the two days, no more
      assertThat(raw.listings).hasSize(2 + 2 * (2 + 1 + 2));
      assertThat(table.iceberg().refresh().currentSnapshotId()).contains(snapshot);
      assertThat(told).hasSize(2);
    }
  }

  @Test
  void aWatchedDayReplacedByTheDailyEtlHasItsCallsOnceAndIsLeftToIt() throws Exception {
    Pipeline p = new Pipeline(tmp);
    WatchJob job = WatchChild.job(p, TODAY);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(TODAY, 60, 2, 1, 0, null);
    assertThat(job.poll().orElseThrow().rows()).isEqualTo(60);
    gen.generate(TODAY, 40, 2, 2, 0, null);
    assertThat(job.poll().orElseThrow().rows()).isEqualTo(40);
    gen.generate(TODAY, 30, 1, 4, 0, null); // lands after the last poll: only the ETL has it

    // the watched day is neither "unchanged" nor "shrunk" for the ETL: it has no commit of its own
    assertThat(p.etl().upToDate(TODAY)).isFalse();
    assertThat(p.etl().refusal(TODAY, false)).isEmpty();
    p.etl().runDay(TODAY, 2);
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
        .isEqualTo(new ExternalIcebergReader.Counts(130, 130, 130));
    assertThat(p.dayFiles(TODAY)).hasSize(1);
    assertThat(p.catalog.processedDay(TODAY).orElseThrow().sourceObjects()).isEqualTo(130);

    gen.generate(TODAY, 5, 1, 5, 0, null);
    WatchBatch after = job.poll().orElseThrow();
    assertThat(after.committed()).isFalse();
    assertThat(after.skippedDays()).contains(TODAY + " is processed by the ETL");
    assertThat(p.catalog.query("SELECT count(*) FROM watch_keys", rs -> rs.getLong(1)))
        .containsExactly(0L);
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs").rows()).isEqualTo(130);
    // and the next ETL of the day is unchanged-checked against its own commit again
    p.etl().runDay(TODAY, 2);
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs").rows()).isEqualTo(135);
  }

  @Test
  void onAPostgresqlCatalogTooBatchesQuarantineAndTheEtlsReplacementCountEachCallOnce()
      throws Exception {
    Pipeline p = new Pipeline(tmp, null, io.cdrpipeline.testing.Postgres.freshDatabase());
    WatchJob job = WatchChild.job(p, TODAY);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(TODAY, 20, 1, 1, 2, null);
    WatchBatch first = job.poll().orElseThrow();
    assertThat(first.rows()).isEqualTo(20);
    assertThat(first.rejected()).isEqualTo(2);
    gen.generate(TODAY, 10, 1, 2, 0, null);
    assertThat(WatchChild.job(p, TODAY).poll().orElseThrow().rows())
        .as("a new process: the day's keys read from the catalog")
        .isEqualTo(10);
    assertThat(job.poll().orElseThrow().committed())
        .as("the first process reads the other's batch")
        .isFalse();
    assertThat(p.catalog.quarantine(java.util.Optional.of(TODAY))).hasSize(2);
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
        .isEqualTo(new ExternalIcebergReader.Counts(30, 30, 30));
    p.etl().runDay(TODAY, 2);
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
        .isEqualTo(new ExternalIcebergReader.Counts(30, 30, 30));
    assertThat(p.catalog.quarantine(java.util.Optional.of(TODAY))).hasSize(2);
  }

  @Test
  void badFilesAreQuarantinedOnceAndNotReadAgain() throws Exception {
    Pipeline p = new Pipeline(tmp);
    WatchJob job = WatchChild.job(p, TODAY);
    new CdrGenerator(p.cdr).generate(TODAY, 20, 1, 1, 3, null);
    WatchBatch b = job.poll().orElseThrow();
    assertThat(b.rows()).isEqualTo(20);
    assertThat(b.rejected()).isEqualTo(3);
    assertThat(p.catalog.quarantine(java.util.Optional.of(TODAY))).hasSize(3);
    assertThat(job.poll().orElseThrow().committed()).isFalse();
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(20);
  }

  @Test
  void theKeysOfADayNoPollLooksAtAgainAreForgotten() throws Exception {
    Pipeline p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(TODAY, 10, 1, 1, 0, null);
    assertThat(WatchChild.job(p, TODAY).poll().orElseThrow().rows()).isEqualTo(10);
    assertThat(WatchChild.job(p, TODAY.plusDays(1)).poll().orElseThrow().committed()).isFalse();
    assertThat(p.catalog.query("SELECT count(*) FROM watch_keys", rs -> rs.getLong(1)))
        .as("yesterday is still watched")
        .containsExactly(10L);
    assertThat(WatchChild.job(p, TODAY.plusDays(2)).poll().orElseThrow().committed()).isFalse();
    assertThat(p.catalog.query("SELECT count(*) FROM watch_keys", rs -> rs.getLong(1)))
        .containsExactly(0L);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(10);
  }

  @Test
  void aDayTheEtlHoldsIsLeftForThisPoll() throws Exception {
    Pipeline p = new Pipeline(tmp);
    WatchJob job = WatchChild.job(p, TODAY);
    new CdrGenerator(p.cdr).generate(TODAY, 10, 1, 1, 0, null);
    try (var lock = p.table().lockDay(TODAY, m -> {})) {
      WatchBatch b = job.poll().orElseThrow();
      assertThat(b.committed()).isFalse();
      assertThat(b.skippedDays()).contains(TODAY + " is being processed by the ETL");
    }
    assertThat(job.poll().orElseThrow().rows()).isEqualTo(10);
  }

  @Test
  void aBatchWhoseSnapshotExpiredBeforeTheWatchCameBackIsKnownByItsFiles() throws Exception {
    Pipeline p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(TODAY, 20, 1, 1, 0, null);
    Process killed = WatchChild.start(tmp, TODAY, "watch.after-commit");
    assertThat(killed.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(killed.exitValue()).isEqualTo(137);
    // another day's commit, then maintenance expires the batch's snapshot (no longer current)
    LocalDate other = TODAY.minusDays(5);
    new CdrGenerator(p.cdr).generate(other, 5, 1, 2, 0, null);
    p.etl().runDay(other, 2);
    p.table()
        .iceberg()
        .maintain(
            java.time.Duration.ofDays(1),
            java.time.Instant.now().plus(java.time.Duration.ofDays(2)));
    assertThat(p.table().iceberg().refresh().history())
        .noneMatch(s -> s.runId().filter(r -> r.startsWith("w")).isPresent());

    WatchBatch b = WatchChild.job(p, TODAY).poll().orElseThrow();
    assertThat(b.committed()).as("nothing is taken again").isFalse();
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
        .isEqualTo(new ExternalIcebergReader.Counts(25, 25, 25));
  }

  /** A watch killed (kill -9: the JVM halts) at each point of its batch, then run again. */
  @ParameterizedTest
  @ValueSource(strings = {"watch.after-write", "watch.before-commit", "watch.after-commit"})
  void aWatchKilledAtAnyPointOfItsBatchLeavesEachCallOnce(String point) throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(TODAY, 30, 2, 1, 0, null);
    Process first = WatchChild.start(tmp, TODAY, null);
    assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(first.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("done w");
    gen.generate(TODAY, 20, 2, 2, 1, null);

    Process killed = WatchChild.start(tmp, TODAY, point);
    assertThat(killed.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(killed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(killed.exitValue()).as(out).isEqualTo(137);
    long seen = ExternalIcebergReader.counts(p.database.url(), "cdrs").rows();
    assertThat(seen).isEqualTo(point.equals("watch.after-commit") ? 50 : 30);

    Process again = WatchChild.start(tmp, TODAY, null);
    assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(again.exitValue()).isZero();
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
        .isEqualTo(new ExternalIcebergReader.Counts(50, 50, 50));
    assertThat(p.catalog.quarantine(java.util.Optional.of(TODAY))).hasSize(1);
    assertThat(
            p.catalog.query(
                "SELECT count(*) FROM watch_batches WHERE status <> 'committed'",
                rs -> rs.getLong(1)))
        .containsExactly(0L);
    assertThat(WatchChild.job(p, TODAY).poll().orElseThrow().committed()).isFalse();
    // the daily ETL of the day counts each call once too
    p.etl().runDay(TODAY, 2);
    assertThat(ExternalIcebergReader.counts(p.database.url(), "cdrs"))
        .isEqualTo(new ExternalIcebergReader.Counts(50, 50, 50));
  }
}
