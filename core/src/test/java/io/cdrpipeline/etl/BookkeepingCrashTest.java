package io.cdrpipeline.etl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.testing.EtlChild;
import io.cdrpipeline.testing.Pipeline;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The day's bookkeeping (counts, fingerprint, quarantine) and its snapshot after a run killed on
 * either side of its commit: whoever comes next (the ETL of another day, or settling on its own as
 * {@code cdr table maintain} does) makes the bookkeeping the snapshot's, never the other way round,
 * and never by processing the day again. Seen through the product's queries.
 */
class BookkeepingCrashTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  static final LocalDate ANOTHER = LocalDate.of(2026, 11, 28);

  @TempDir Path tmp;
  Pipeline p;
  Set<String> oldQuarantine;

  @BeforeEach
  void processOnceThenAddLateFilesWithMoreBadOnes() throws Exception {
    p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY, 300, 2, 1, 2, null);
    p.etl().runDay(DAY, 2);
    oldQuarantine = quarantine();
    assertThat(oldQuarantine).hasSize(2);
    gen.generate(DAY, 200, 2, 2, 3, null); // late files, 3 of them bad: the next run rejects 5
    gen.generate(ANOTHER, 50, 2, 3, 0, null);
  }

  /** The keys of the day's rejected files, as {@code cdr query} shows them. */
  Set<String> quarantine() {
    Set<String> keys = new TreeSet<>();
    p.sql("SELECT source_key FROM quarantined_cdrs WHERE year = 2026 AND month = 11 AND day = 27")
        .rows()
        .forEach(r -> keys.add((String) r.get(0)));
    return keys;
  }

  long dayRows() {
    return p.count(
        "SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 11 AND day = 27");
  }

  long snapshotsOfDay() {
    return p.table().iceberg().refresh().history().stream()
        .filter(s -> s.day().equals(Optional.of(DAY)))
        .count();
  }

  /** Kills a run of the day at the failpoint; returns the run it staged. */
  Catalog.StagedRun killAt(String failpoint) throws Exception {
    Process child = EtlChild.start(tmp, DAY, 2, failpoint);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    child.getInputStream().transferTo(out);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(137);
    List<Catalog.StagedRun> staged = p.catalog.stagedRuns();
    assertThat(staged).singleElement().satisfies(r -> assertThat(r.day()).isEqualTo(DAY));
    return staged.get(0);
  }

  void settleBy(String next) {
    if (next.equals("etl-of-another-day")) {
      p.etl().runDay(ANOTHER, 2);
      assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 28")).isEqualTo(50);
    } else {
      p.table().settleAll();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"etl-of-another-day", "settle-all"})
  void killedAfterItsCommitThenTheNextWriterPromotesItsBookkeepingWithoutRerunningTheDay(
      String next) throws Exception {
    Catalog.StagedRun crashed = killAt("etl.after-commit");
    // the window: the snapshot is the new run's, the day's bookkeeping still the old run's
    assertThat(dayRows()).isEqualTo(500);
    assertThat(p.catalog.processedDay(DAY).orElseThrow().rowsWritten()).isEqualTo(300);
    assertThat(quarantine()).isEqualTo(oldQuarantine);
    List<IcebergTable.PlannedFile> files = p.table().iceberg().refresh().dayFiles(DAY);
    long snapshots = snapshotsOfDay();

    settleBy(next);

    ProcessedDay day = p.catalog.processedDay(DAY).orElseThrow();
    assertThat(day.runId()).isEqualTo(crashed.runId());
    assertThat(day.rowsWritten()).isEqualTo(500).isEqualTo(dayRows());
    assertThat(day.rejected()).isEqualTo(5);
    assertThat(day.files())
        .extracting(ProcessedDay.ProcessedFile::key)
        .containsExactlyElementsOf(files.stream().map(IcebergTable.PlannedFile::location).toList());
    assertThat(day.files()).extracting(ProcessedDay.ProcessedFile::rows).containsExactly(500L);
    Set<String> now = quarantine();
    assertThat(now).hasSize(5).containsAll(oldQuarantine);
    assertThat(p.count("SELECT count(*) FROM quarantined_cdrs WHERE day = 27"))
        .isEqualTo(day.rejected());
    assertThat(p.catalog.stagedRuns()).isEmpty();
    // the day was not processed again: the same snapshot of it, the same files
    assertThat(snapshotsOfDay()).isEqualTo(snapshots);
    assertThat(p.table().iceberg().refresh().dayFiles(DAY)).isEqualTo(files);
    // and the promoted fingerprint is the one of what the snapshot holds: a full run skips the day
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary full = p.etl().runFull(2, false);
    assertThat(full.days())
        .filteredOn(d -> d.day().equals(DAY))
        .singleElement()
        .satisfies(d -> assertThat(d.skipped()).isTrue());
    assertThat(snapshotsOfDay()).isEqualTo(snapshots);
  }

  @ParameterizedTest
  @ValueSource(strings = {"etl-of-another-day", "settle-all"})
  void killedBeforeItsCommitThenTheNextWriterForgetsWhatItStagedAndTheOldDayStays(String next)
      throws Exception {
    ProcessedDay before = p.catalog.processedDay(DAY).orElseThrow();
    long snapshots = snapshotsOfDay();
    Catalog.StagedRun crashed = killAt("etl.before-commit");
    assertThat(crashed.runId()).isNotEqualTo(before.runId());

    settleBy(next);

    assertThat(p.catalog.stagedRuns()).isEmpty();
    ProcessedDay day = p.catalog.processedDay(DAY).orElseThrow();
    assertThat(day.runId()).isEqualTo(before.runId());
    assertThat(day.rowsWritten()).isEqualTo(300).isEqualTo(dayRows());
    assertThat(day.rejected()).isEqualTo(2);
    assertThat(day.fingerprint()).isEqualTo(before.fingerprint());
    assertThat(day.files()).isEqualTo(before.files());
    assertThat(quarantine()).isEqualTo(oldQuarantine);
    assertThat(p.count("SELECT count(*) FROM quarantined_cdrs")).isEqualTo(2);
    assertThat(snapshotsOfDay()).isEqualTo(snapshots);
    // the old fingerprint stays, so the day's late files are still to be processed
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary full = p.etl().runFull(2, false);
    assertThat(full.days())
        .filteredOn(d -> d.day().equals(DAY))
        .singleElement()
        .satisfies(d -> assertThat(d.skipped()).isFalse());
    assertThat(dayRows()).isEqualTo(500);
    assertThat(quarantine()).hasSize(5).containsAll(oldQuarantine);
  }
}
