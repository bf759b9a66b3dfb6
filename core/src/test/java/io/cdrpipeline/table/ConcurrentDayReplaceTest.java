package io.cdrpipeline.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.etl.DayResult;
import io.cdrpipeline.etl.EmbeddedEngine;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.ChildLines;
import io.cdrpipeline.testing.EtlChild;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two writers replacing the same day at once, on the SQLite and the PostgreSQL catalog: the day is
 * never doubled, each completed run is one snapshot, and the day's bookkeeping is the winning
 * run's. Writers of this product take the day's lock, so the second waits and then replaces the day
 * cleanly; writers that bypass the lock meet Iceberg's conflict check, and the loser changes
 * nothing.
 */
class ConcurrentDayReplaceTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  static final Duration CHILD = Duration.ofSeconds(180);

  @TempDir Path tmp;
  final List<ChildLines> children = new ArrayList<>();

  @AfterEach
  void killChildren() {
    children.forEach(ChildLines::kill);
  }

  String catalogUrl(String kind) {
    return kind.equals("postgresql") ? Postgres.freshDatabase() : null;
  }

  ChildLines child(String url, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of(more));
    if (url != null) {
      args.add("catalog=" + url);
    }
    ChildLines c = new ChildLines(EtlChild.start(tmp, DAY, 2, null, args));
    children.add(c);
    return c;
  }

  static List<IcebergTable.SnapshotInfo> snapshotsOfDay(Pipeline p) {
    return p.table().iceberg().refresh().history().stream()
        .filter(s -> s.day().equals(Optional.of(DAY)))
        .toList();
  }

  static long dayRows(Pipeline p) {
    return p.count(
        "SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 11 AND day = 27");
  }

  /**
   * The day's bookkeeping is the current snapshot's: the run, its rows and files, its quarantine;
   * nothing staged.
   */
  static void assertBookkeepingIsTheSnapshots(Pipeline p, String run, long rows, long rejected) {
    List<IcebergTable.PlannedFile> files = p.table().iceberg().refresh().dayFiles(DAY);
    assertThat(files)
        .singleElement()
        .satisfies(f -> assertThat(f.location()).contains(run).endsWith(".parquet"));
    ProcessedDay day = p.catalog.processedDay(DAY).orElseThrow();
    assertThat(day.runId()).isEqualTo(run);
    assertThat(day.rowsWritten()).isEqualTo(rows).isEqualTo(files.get(0).rows());
    assertThat(day.rejected()).isEqualTo(rejected);
    assertThat(day.files())
        .extracting(ProcessedDay.ProcessedFile::key)
        .containsExactly(files.get(0).location());
    assertThat(p.count("SELECT count(*) FROM quarantined_cdrs WHERE day = 27")).isEqualTo(rejected);
    assertThat(p.catalog.stagedRuns()).isEmpty();
    assertThat(dayRows(p)).isEqualTo(rows);
    assertThat(p.count("SELECT count(DISTINCT source_key) FROM processed_cdrs WHERE day = 27"))
        .isEqualTo(rows);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aSecondProcessWaitsForTheDayThenReplacesItWithWhatItRead(String kind) throws Exception {
    String url = catalogUrl(kind);
    Pipeline p = new Pipeline(tmp, null, url);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY, 300, 2, 1, 1, null);
    p.etl().runDay(DAY, 2);
    gen.generate(DAY, 100, 2, 2, 2, null); // late files: the first run takes these

    Path go = tmp.resolve("go");
    ChildLines first = child(url, "hold=" + go);
    first.await("holding"::equals, CHILD); // it has read the day and holds its lock
    gen.generate(DAY, 50, 2, 3, 1, null); // later still: only the second run can see these
    ChildLines second = child(url);
    second.await(
        l -> l.startsWith("message waiting for another") && l.contains("etl-day-" + DAY), CHILD);
    Files.createFile(go);

    assertThat(first.exit(CHILD)).as("%s", first.tail()).isZero();
    assertThat(second.exit(CHILD)).as("%s", second.tail()).isZero();
    String firstRun = runOf(first);
    String secondRun = runOf(second);

    List<IcebergTable.SnapshotInfo> snapshots = snapshotsOfDay(p);
    assertThat(snapshots)
        .hasSize(3); // the first ETL's, then one per completed run, in the order of the lock
    assertThat(snapshots.subList(1, 3))
        .extracting(s -> s.runId().orElseThrow())
        .containsExactly(firstRun, secondRun);
    assertThat(snapshots.get(1).rowsAdded()).isEqualTo(400);
    assertThat(snapshots.get(1).rowsRemoved()).isEqualTo(300);
    assertThat(snapshots.get(2).rowsAdded()).isEqualTo(450);
    assertThat(snapshots.get(2).rowsRemoved())
        .isEqualTo(400); // the first run's day, exactly: never doubled
    assertThat(snapshots.get(2).current()).isTrue();
    assertBookkeepingIsTheSnapshots(p, secondRun, 450, 4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void twoProcessesStartedTogetherBothCompleteOneAfterTheOther(String kind) throws Exception {
    String url = catalogUrl(kind);
    Pipeline p = new Pipeline(tmp, null, url);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY, 200, 2, 1, 2, null);
    p.etl().runDay(DAY, 2);
    gen.generate(DAY, 80, 2, 2, 1, null);

    ChildLines a = child(url);
    ChildLines b = child(url);
    assertThat(a.exit(CHILD)).as("%s", a.tail()).isZero();
    assertThat(b.exit(CHILD)).as("%s", b.tail()).isZero();

    List<IcebergTable.SnapshotInfo> snapshots = snapshotsOfDay(p);
    assertThat(snapshots).hasSize(3);
    assertThat(snapshots.subList(1, 3))
        .extracting(s -> s.runId().orElseThrow())
        .containsExactlyInAnyOrder(runOf(a), runOf(b));
    assertThat(snapshots.get(2).rowsAdded()).isEqualTo(280);
    assertThat(snapshots.get(2).rowsRemoved()).isEqualTo(280);
    assertBookkeepingIsTheSnapshots(p, snapshots.get(2).runId().orElseThrow(), 280, 3);
  }

  static String runOf(ChildLines c) {
    return c.tail().stream()
        .filter(l -> l.startsWith("done "))
        .findFirst()
        .orElseThrow()
        .substring("done ".length());
  }

  /**
   * Two writers in two threads, each with its own catalog connections and table, that skip the
   * day's lock (as two deployments, or another engine, might) and commit from the same snapshot at
   * the same moment: in every round exactly one wins, the other gets one line of {@link
   * IcebergTable.DayConflict}, and neither its files nor its bookkeeping land anywhere.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void writersBypassingTheDayLockFromOneSnapshotOneWinsTheOtherConflictsAndChangesNothing(
      String kind) throws Exception {
    String url = catalogUrl(kind);
    Pipeline setup = new Pipeline(tmp, null, url);
    new CdrGenerator(setup.cdr).generate(DAY, 120, 2, 1, 1, null);
    LocalStore extra = new LocalStore(tmp.resolve("extra-bucket"));
    new CdrGenerator(extra).generate(DAY, 30, 2, 9, 1, null);
    setup.etl().runDay(DAY, 2);

    // writer 0 reads the CDR bucket (120 rows); writer 1 also an additional bucket (150 rows)
    Pipeline[] pipelines = {new Pipeline(tmp, null, url), new Pipeline(tmp, null, url)};
    List<List<RawSource>> sources =
        List.of(
            List.of(new RawSource(ProcessedSchema.SOURCE_CDR, setup.cdr, "")),
            List.of(
                new RawSource(ProcessedSchema.SOURCE_CDR, setup.cdr, ""),
                new RawSource(
                    ProcessedSchema.SOURCE_ADDITIONAL, extra, extra.location().display() + "/")));
    long[] rows = {120, 150};
    long[] rejected = {1, 2};
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 4; round++) {
        long snapshotsBefore = snapshotsOfDay(setup).size();
        long base = setup.table().iceberg().refresh().currentSnapshotId().orElseThrow();
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<Long>> outcomes = new ArrayList<>();
        String[] runs = new String[2];
        for (int w = 0; w < 2; w++) {
          int me = w;
          runs[w] = "round" + round + "-writer" + w;
          outcomes.add(
              pool.submit(
                  () -> {
                    ProcessedTable table = pipelines[me].table();
                    ProcessedTable.DayWrite write = table.begin(DAY, runs[me]);
                    assertThat(table.iceberg().currentSnapshotId()).contains(base);
                    EmbeddedEngine engine =
                        new EmbeddedEngine(
                            sources.get(me), "256MB", tmp.resolve("tmp-" + me), null);
                    try (DayResult r = engine.process(write, 1)) {
                      together.await(60, TimeUnit.SECONDS);
                      return write.commit(r.bookkeeping(Instant.now()), r.files());
                    }
                  }));
        }
        List<Integer> winners = new ArrayList<>();
        List<Throwable> losses = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          try {
            outcomes.get(w).get(120, TimeUnit.SECONDS);
            winners.add(w);
          } catch (ExecutionException e) {
            losses.add(e.getCause());
          }
        }
        assertThat(winners).as("round %d: %s", round, losses).hasSize(1);
        assertThat(losses)
            .singleElement()
            .isInstanceOf(IcebergTable.DayConflict.class)
            .satisfies(
                e ->
                    assertThat(e.getMessage())
                        .startsWith("another run committed " + DAY)
                        .doesNotContain("\n"));
        int winner = winners.get(0);
        String loser = runs[1 - winner];

        List<IcebergTable.SnapshotInfo> snapshots = snapshotsOfDay(setup);
        assertThat(snapshots).hasSize((int) snapshotsBefore + 1);
        assertThat(snapshots.get(snapshots.size() - 1).runId()).contains(runs[winner]);
        assertThat(setup.table().iceberg().dayFiles(DAY))
            .noneMatch(f -> f.location().contains(loser));
        assertBookkeepingIsTheSnapshots(setup, runs[winner], rows[winner], rejected[winner]);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
