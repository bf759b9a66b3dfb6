package io.cdrpipeline.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Iceberg table on the JDBC catalog in SQLite and in PostgreSQL, in a local folder. */
class IcebergTableTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 2);
  static final LocalDate OTHER = LocalDate.of(2026, 11, 3);

  @TempDir Path tmp;

  String catalogUrl(String kind) {
    if (kind.equals("postgresql")) {
      String url = Postgres.freshDatabase();
      Database.open(url); // the product's own tables beside Iceberg's, as in a deployment
      return url;
    }
    return "jdbc:sqlite:" + tmp.resolve("catalog.db");
  }

  IcebergTable open(String url) {
    return IcebergTable.open(
        TableSettings.DEFAULTS, url, "cdrs", new LocalStore(tmp.resolve("processed")));
  }

  /** Writes a data file of n rows of a day with DuckDB, carrying the table's field ids. */
  IcebergTable.NewFile write(IcebergTable t, LocalDate day, String run, int n) throws Exception {
    String location = t.newDataFile(day, run, 0);
    Path local = tmp.resolve("stage-" + run + ".parquet");
    Map<String, Integer> ids = t.fieldIds();
    String fieldIds =
        ids.entrySet().stream()
            .filter(e -> List.of("callid", "duration", "year", "month", "day").contains(e.getKey()))
            .map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(", "));
    try (Connection c = DuckDb.open("256MB", tmp.resolve("duck"), 1);
        Statement s = c.createStatement()) {
      s.execute(
          "COPY (SELECT '"
              + run
              + "-' || i AS callid, i::BIGINT AS duration, "
              + day.getYear()
              + " AS year, "
              + day.getMonthValue()
              + " AS month, "
              + day.getDayOfMonth()
              + " AS day FROM range("
              + n
              + ") t(i)) TO "
              + DuckDb.literal(local.toString())
              + " (FORMAT parquet, FIELD_IDS {"
              + fieldIds
              + "})");
    }
    t.upload(local, location);
    return new IcebergTable.NewFile(location, Files.size(local), n);
  }

  long rows(IcebergTable t, LocalDate day) throws Exception {
    List<IcebergTable.PlannedFile> files = t.refresh().dayFiles(day);
    if (files.isEmpty()) {
      return 0;
    }
    String list =
        files.stream()
            .map(f -> DuckDb.literal(StoreFileIO.path(f.location()).toString()))
            .collect(Collectors.joining(", "));
    try (Connection c = DuckDb.open("256MB", tmp.resolve("duck"), 1);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM read_parquet([" + list + "])")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aDayIsReplacedWholeInOneCommitAndOtherDaysStay(String kind) throws Exception {
    String url = catalogUrl(kind);
    try (IcebergTable t = open(url)) {
      assertThat(t.currentSnapshotId()).isEmpty();
      assertThat(t.fieldIds())
          .containsEntry("awsaccountid", 1)
          .containsKeys("year", "month", "day");
      t.commitDay(DAY, "r1", List.of(write(t, DAY, "r1", 100)), t.currentSnapshotId());
      t.commitDay(OTHER, "r2", List.of(write(t, OTHER, "r2", 50)), t.currentSnapshotId());
      t.commitDay(DAY, "r3", List.of(write(t, DAY, "r3", 70)), t.currentSnapshotId());
      assertThat(rows(t, DAY)).isEqualTo(70);
      assertThat(rows(t, OTHER)).isEqualTo(50);
      assertThat(t.dayFiles(DAY))
          .singleElement()
          .satisfies(f -> assertThat(f.location()).contains("r3"));
      assertThat(t.plan(Expressions.equal("month", 11))).hasSize(2);
      assertThat(t.plan(Expressions.equal("month", 12))).isEmpty();
    }
    try (IcebergTable again = open(url)) { // another process opening the same table
      assertThat(rows(again, DAY)).isEqualTo(70);
      List<IcebergTable.SnapshotInfo> h = again.history();
      assertThat(h).extracting(s -> s.day().orElseThrow()).containsExactly(DAY, OTHER, DAY);
      assertThat(h).extracting(s -> s.runId().orElseThrow()).containsExactly("r1", "r2", "r3");
      assertThat(h.get(2).rowsAdded()).isEqualTo(70);
      assertThat(h.get(2).rowsRemoved()).isEqualTo(100);
      assertThat(h.get(2).current()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aWriterWhoseDayWasCommittedByAnotherSinceItStartedFailsAndChangesNothing(String kind)
      throws Exception {
    String url = catalogUrl(kind);
    try (IcebergTable a = open(url);
        IcebergTable b = open(url)) {
      a.commitDay(DAY, "r0", List.of(write(a, DAY, "r0", 10)), a.currentSnapshotId());
      Optional<Long> aStarted = a.refresh().currentSnapshotId();
      Optional<Long> bStarted = b.refresh().currentSnapshotId();
      IcebergTable.NewFile aFile = write(a, DAY, "ra", 20);
      IcebergTable.NewFile bFile = write(b, DAY, "rb", 30);
      b.commitDay(DAY, "rb", List.of(bFile), bStarted);
      assertThatThrownBy(() -> a.commitDay(DAY, "ra", List.of(aFile), aStarted))
          .isInstanceOf(IcebergTable.DayConflict.class)
          .hasMessageContaining("another run committed 2026-11-02");
      assertThat(rows(a, DAY)).isEqualTo(30);
      // another day committed meanwhile is no conflict
      Optional<Long> started = a.refresh().currentSnapshotId();
      b.commitDay(OTHER, "rc", List.of(write(b, OTHER, "rc", 5)), b.refresh().currentSnapshotId());
      a.commitDay(DAY, "rd", List.of(write(a, DAY, "rd", 40)), started);
      assertThat(rows(a, DAY)).isEqualTo(40);
      assertThat(rows(a, OTHER)).isEqualTo(5);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite"})
  void maintenanceDeletesReplacedAndOrphanedFilesOnlyAfterTheRetention(String kind)
      throws Exception {
    String url = catalogUrl(kind);
    try (IcebergTable t = open(url)) {
      IcebergTable.NewFile first = write(t, DAY, "r1", 10);
      t.commitDay(DAY, "r1", List.of(first), t.currentSnapshotId());
      IcebergTable.NewFile second = write(t, DAY, "r2", 20);
      t.commitDay(DAY, "r2", List.of(second), t.currentSnapshotId());
      IcebergTable.NewFile orphan = write(t, DAY, "crashed", 5); // uploaded, never committed
      Path firstPath = StoreFileIO.path(first.location());
      Path orphanPath = StoreFileIO.path(orphan.location());

      IcebergTable.Maintenance soon = t.maintain(Duration.ofDays(1), Instant.now());
      assertThat(soon.snapshotsExpired()).isZero();
      assertThat(soon.orphansDeleted()).isZero();
      assertThat(firstPath).exists(); // a query planned on the older snapshot may still read it
      assertThat(orphanPath).exists(); // a running writer may be about to commit it

      IcebergTable.Maintenance later =
          t.maintain(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2)));
      assertThat(later.snapshotsExpired()).isEqualTo(1);
      assertThat(firstPath).doesNotExist();
      assertThat(orphanPath).doesNotExist();
      assertThat(StoreFileIO.path(second.location())).exists();
      assertThat(rows(t, DAY)).isEqualTo(20);
      assertThat(t.history()).hasSize(1);
    }
  }

  /**
   * The retention counts from when a snapshot stopped being current, not from when it was made: a
   * day written long ago and replaced a moment ago keeps its replaced files for the retention, so a
   * query planned just before the replacement still finds them.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite"})
  void aReplacedSnapshotIsKeptForTheRetentionAfterItsReplacementNotAfterItsOwnCommit(String kind)
      throws Exception {
    String url = catalogUrl(kind);
    try (IcebergTable t = open(url)) {
      IcebergTable.NewFile old = write(t, DAY, "old", 10);
      t.commitDay(DAY, "old", List.of(old), t.currentSnapshotId());
      long oldAt = t.iceberg().currentSnapshot().timestampMillis();
      awaitClockPast(oldAt + 10);
      IcebergTable.NewFile replacement = write(t, DAY, "new", 20);
      t.commitDay(DAY, "new", List.of(replacement), t.currentSnapshotId());
      long replacedAt = t.iceberg().currentSnapshot().timestampMillis();

      // as if "old" had been committed more than a day before "new": now is a day after "old",
      // but less than a day after the replacement
      Instant now = Instant.ofEpochMilli(oldAt + (replacedAt - oldAt) / 2).plus(Duration.ofDays(1));
      IcebergTable.Maintenance m = t.maintain(Duration.ofDays(1), now);
      assertThat(m.snapshotsExpired()).isZero();
      assertThat(StoreFileIO.path(old.location()))
          .as("replaced less than the retention ago")
          .exists();

      IcebergTable.Maintenance later =
          t.maintain(
              Duration.ofDays(1), Instant.ofEpochMilli(replacedAt + 1).plus(Duration.ofDays(1)));
      assertThat(later.snapshotsExpired()).isEqualTo(1);
      assertThat(StoreFileIO.path(old.location())).doesNotExist();
      assertThat(rows(t, DAY)).isEqualTo(20);
    }
  }

  /**
   * Waits (with a deadline) until the wall clock is past a time, so two commits have distinct
   * times.
   */
  static void awaitClockPast(long epochMillis) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.currentTimeMillis() <= epochMillis) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the clock did not pass " + epochMillis);
      }
      Thread.sleep(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite"})
  void newColumnsAreAddedBySchemaEvolutionWithNewIds(String kind) throws Exception {
    String url = catalogUrl(kind);
    try (IcebergTable t = open(url)) {
      int before = t.fieldIds().size();
      assertThat(
              t.addColumns(
                  List.of(
                      new Column("carrier", ColumnType.VARCHAR),
                      new Column("callid", ColumnType.VARCHAR))))
          .containsExactly("carrier");
      assertThat(t.addColumns(List.of(new Column("carrier", ColumnType.VARCHAR)))).isEmpty();
      assertThat(t.fieldIds()).hasSize(before + 1).containsEntry("carrier", before + 1);
      assertThat(t.columns()).containsEntry("carrier", ColumnType.VARCHAR);
    }
  }
}
