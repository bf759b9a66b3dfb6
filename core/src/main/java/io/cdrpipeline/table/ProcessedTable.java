package io.cdrpipeline.table;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.DayCommit;
import io.cdrpipeline.catalog.NamedLock;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one commit path of a processed day, shared by every ETL engine: lock the day, settle what a
 * crashed run left, skip the day when its raw objects are unchanged, then stage the run's
 * bookkeeping (counts, fingerprint, quarantine) in the catalog, commit the day's files to the
 * Iceberg table in one snapshot, and promote the bookkeeping.
 *
 * <p>The snapshot decides: a run that died before its commit left staged bookkeeping and
 * unreferenced files, so the next writer of the day forgets the one and table maintenance deletes
 * the other; a run that died after its commit left staged bookkeeping the table's files name, so
 * the next writer (or {@link #settleAll}) promotes it. Counts and quarantine never describe other
 * files than the ones the snapshot holds for long.
 */
public final class ProcessedTable implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessedTable.class);

  private final IcebergTable table;
  private final Catalog catalog;

  public ProcessedTable(IcebergTable table, Catalog catalog) {
    this.table = Objects.requireNonNull(table, "table is null");
    this.catalog = Objects.requireNonNull(catalog, "catalog is null");
  }

  /** The Iceberg table. */
  public IcebergTable iceberg() {
    return table;
  }

  /** Holds the day for one writer of this deployment until closed. */
  public NamedLock lockDay(LocalDate day, Consumer<String> waiting) {
    return NamedLock.acquire(catalog.database(), lockName(day), waiting);
  }

  /**
   * Holds the day if no other writer holds it now (a watch batch, which leaves a day the ETL is
   * replacing to it).
   */
  public Optional<NamedLock> tryLockDay(LocalDate day) {
    return NamedLock.tryAcquire(catalog.database(), lockName(day));
  }

  private static String lockName(LocalDate day) {
    return "etl-day-" + day;
  }

  /**
   * Settles every run staged for the day: promoted when the table's current snapshot holds its
   * files (it died after its commit), forgotten otherwise. Call it holding the day's lock.
   */
  public void settle(LocalDate day) {
    List<Catalog.StagedRun> staged =
        catalog.stagedRuns().stream().filter(r -> r.day().equals(day)).toList();
    if (staged.isEmpty()) {
      return;
    }
    Optional<String> writer = currentWriter(day);
    for (Catalog.StagedRun r : staged) {
      if (writer.isPresent() && writer.get().equals(r.runId())) {
        LOG.info(
            "{}: run {} committed its files but died before its bookkeeping: promoting it",
            day,
            r.runId());
        promote(day, r.runId());
      } else {
        LOG.info("{}: run {} died before its commit: forgetting what it staged", day, r.runId());
        catalog.discardStaged(day, r.runId());
        // nobody holds the day, so its run is gone: its files are a failed run's (maintenance
        // removes them)
        catalog.markRunDied(r.runId(), "the run died before its commit of " + day);
      }
    }
  }

  /** Settles the staged runs of the days no writer holds now (a writer settles its own day). */
  public void settleAll() {
    for (LocalDate day :
        catalog.stagedRuns().stream().map(Catalog.StagedRun::day).distinct().toList()) {
      Optional<NamedLock> lock = NamedLock.tryAcquire(catalog.database(), lockName(day));
      if (lock.isPresent()) {
        try (NamedLock held = lock.get()) {
          settle(day);
        }
      }
    }
  }

  /**
   * The run whose files the current snapshot holds for the day: the run of the newest snapshot of
   * the day still kept, or the run its data files are named after.
   */
  Optional<String> currentWriter(LocalDate day) {
    table.refresh();
    for (IcebergTable.SnapshotInfo s : reversed(table.history())) {
      if (s.day().isPresent() && s.day().get().equals(day) && s.runId().isPresent()) {
        return s.runId();
      }
    }
    for (IcebergTable.PlannedFile f : table.dayFiles(day)) {
      Optional<String> run = IcebergTable.runOf(f.location());
      if (run.isPresent()) {
        return run;
      }
    }
    return Optional.empty();
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> r = new ArrayList<>(list);
    Collections.reverse(r);
    return r;
  }

  /**
   * Why the day must be processed although its raw objects have this fingerprint, or empty when it
   * may be skipped: it was processed from exactly these objects and every file the table holds for
   * it is there.
   */
  public Optional<String> reasonToProcess(LocalDate day, String fingerprint) {
    Optional<ProcessedDay> previous = catalog.processedDay(day);
    if (previous.isEmpty()) {
      return Optional.of("never processed");
    }
    if (!previous.get().fingerprint().equals(fingerprint)) {
      return Optional.of("raw files changed");
    }
    for (IcebergTable.PlannedFile f : table.refresh().dayFiles(day)) {
      if (!table.io().newInputFile(f.location()).exists()) {
        return Optional.of("processed file " + f.location() + " is missing");
      }
    }
    return Optional.empty();
  }

  /**
   * Why a run must not replace the day although a listing found {@code rawObjects} raw objects for
   * it (none at all, or fewer than {@code limit} allows against its last commit), or empty when it
   * may; see {@link DayRefusal}. Call it holding the day's lock, before any work.
   */
  public Optional<DayRefusal> refusal(
      LocalDate day, long rawObjects, MaxShrink limit, boolean force) {
    return DayRefusal.check(day, rawObjects, catalog.processedDay(day), limit, force);
  }

  /** Starts a writer of the day: it writes against the snapshot it starts from. */
  public DayWrite begin(LocalDate day, String runId) {
    return new DayWrite(day, runId, table.refresh().currentSnapshotId());
  }

  /** What {@link #reconcile} changed: the days lost, and the days recorded from the table. */
  public record Reconciled(
      List<LocalDate> lost, List<LocalDate> recordedFromTable, List<LocalDate> unrecordedBefore) {
    public Reconciled {
      lost = List.copyOf(lost);
      recordedFromTable = List.copyOf(recordedFromTable);
      unrecordedBefore = List.copyOf(unrecordedBefore);
    }
  }

  /**
   * Makes the catalog's bookkeeping of days describe what the table holds, after the table was
   * rolled back or registered again. A day whose recorded commit the table no longer holds is lost:
   * recorded anew from the version the table holds, or forgotten when it holds none. A day the
   * table holds that the catalog has no record of ({@code unrecordedBefore}: an emptied catalog) is
   * recorded from the table. A day recorded from the table has no fingerprint of its raw files (nor
   * quarantine), so the next full run processes it again instead of skipping it.
   */
  public Reconciled reconcile() {
    settleAll();
    table.refresh();
    Map<LocalDate, List<IcebergTable.PlannedFile>> held = new TreeMap<>();
    for (IcebergTable.PlannedFile f :
        table.plan(org.apache.iceberg.expressions.Expressions.alwaysTrue())) {
      held.computeIfAbsent(f.day(), d -> new ArrayList<>()).add(f);
    }
    Map<LocalDate, IcebergTable.SnapshotInfo> newest = new HashMap<>();
    for (IcebergTable.SnapshotInfo s : table.history()) {
      s.day().ifPresent(d -> newest.put(d, s)); // oldest first: the newest stays
    }
    Function<LocalDate, Optional<String>> writer =
        day -> {
          IcebergTable.SnapshotInfo s = newest.get(day);
          if (s != null && s.runId().isPresent()) {
            return s.runId();
          }
          return held.getOrDefault(day, List.of()).stream()
              .map(f -> IcebergTable.runOf(f.location()))
              .flatMap(Optional::stream)
              .findFirst();
        };
    List<LocalDate> lost = new ArrayList<>();
    List<LocalDate> forget = new ArrayList<>();
    Set<LocalDate> record = new TreeSet<>();
    Set<LocalDate> recorded = new HashSet<>();
    for (ProcessedDay d : catalog.processedDays()) {
      recorded.add(d.day());
      Optional<String> w = writer.apply(d.day());
      boolean holds =
          w.isPresent()
              ? w.get().equals(d.runId())
              : d.rowsWritten() == 0 && !held.containsKey(d.day());
      if (!holds) {
        lost.add(d.day());
        if (held.containsKey(d.day())) {
          record.add(d.day());
        } else {
          forget.add(d.day());
        }
      }
    }
    List<LocalDate> unrecorded = held.keySet().stream().filter(d -> !recorded.contains(d)).toList();
    record.addAll(unrecorded);
    catalog.forgetDays(forget);
    long snapshot = table.currentSnapshotId().orElse(0L);
    for (LocalDate day : record) {
      String run = writer.apply(day).orElse("unknown");
      long rows = held.get(day).stream().mapToLong(IcebergTable.PlannedFile::rows).sum();
      Instant at =
          Optional.ofNullable(newest.get(day))
              .map(IcebergTable.SnapshotInfo::at)
              .orElse(Instant.now());
      catalog.stageDay(new DayCommit(day, run, "", 0, 0, rows, 0, sink -> {}, at));
      promote(day, run, snapshot);
    }
    return new Reconciled(lost, new ArrayList<>(record), unrecorded);
  }

  /**
   * Settles the staged runs of days no writer holds, then maintains the Iceberg table (see {@link
   * IcebergTable#maintain(Duration, Instant, Predicate)}), deleting at once the files of runs the
   * catalog knows failed.
   */
  public IcebergTable.Maintenance maintain(Duration retention, Instant now) {
    settleAll();
    Set<String> failed = catalog.failedRuns();
    return table.maintain(retention, now, failed::contains);
  }

  /**
   * What an engine writes one day through: the table's columns, field ids and places for files.
   * Closed without a commit that happened, it removes the data files it uploaded.
   */
  public final class DayWrite implements DayTarget, AutoCloseable {
    private final LocalDate day;
    private final String runId;
    private final Optional<Long> base;
    private final List<String> written = new CopyOnWriteArrayList<>();

    /**
     * Set once a commit was tried whose outcome is not known to be a failure: its files stay for
     * the next writer.
     */
    private boolean mayHaveCommitted;

    private DayWrite(LocalDate day, String runId, Optional<Long> base) {
      this.day = day;
      this.runId = runId;
      this.base = base;
    }

    @Override
    public LocalDate day() {
      return day;
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public Map<String, ColumnType> columns() {
      return table.columns();
    }

    @Override
    public Map<String, Integer> addColumns(List<Column> columns) {
      table.addColumns(columns);
      return table.fieldIds();
    }

    @Override
    public String newDataFile(int index) {
      return table.newDataFile(day, runId, index);
    }

    @Override
    public void upload(Path local, String location) throws IOException {
      written.add(location);
      table.upload(local, location);
    }

    /**
     * Stages the bookkeeping, commits the files as the whole day (checked against the snapshot this
     * writer started from), then promotes the bookkeeping. Returns the snapshot's id.
     */
    public long commit(DayCommit bookkeeping, List<IcebergTable.NewFile> files) {
      if (!bookkeeping.day().equals(day) || !bookkeeping.runId().equals(runId)) {
        throw new IllegalArgumentException(
            "bookkeeping of "
                + bookkeeping.day()
                + "/"
                + bookkeeping.runId()
                + " for the write of "
                + day
                + "/"
                + runId);
      }
      files.forEach(
          f -> {
            if (!written.contains(f.location())) {
              written.add(f.location()); // written by the engine's own tasks (Spark)
            }
          });
      catalog.stageDay(bookkeeping);
      Failpoints.hit("etl.before-commit");
      long snapshot;
      mayHaveCommitted = true;
      try {
        snapshot = table.commitDay(day, runId, files, base);
      } catch (IcebergTable.DayConflict | IcebergTable.NotCommitted e) {
        mayHaveCommitted = false;
        catalog.discardStaged(day, runId); // certainly not committed
        throw e;
      }
      // any other failure may have committed or not: the next writer of the day settles it
      Failpoints.hit("etl.after-commit");
      promote(day, runId, snapshot);
      return snapshot;
    }

    /**
     * Removes the data files of this write unless its commit happened or may have: a failed run
     * leaves nothing behind (a full disk stays full otherwise, a file more at every retry).
     */
    @Override
    public void close() {
      if (mayHaveCommitted) {
        return;
      }
      for (String f : written) {
        table.deleteQuietly(f);
      }
      written.clear();
    }
  }

  /**
   * What the table and the catalog hold of a day: the current snapshot's files and rows, and the
   * day's bookkeeping.
   */
  public record DayContent(
      LocalDate day, int files, long rows, Optional<ProcessedDay> bookkeeping) {
    /** True when neither the table nor the catalog has anything of the day. */
    public boolean isEmpty() {
      return files == 0 && bookkeeping.isEmpty();
    }
  }

  /**
   * A day dropped: what it held, and the snapshot that removed its files (none when the table had
   * none).
   */
  public record DroppedDay(DayContent content, Optional<Long> snapshotId) {}

  /** What the table and the catalog hold of the day now. */
  public DayContent content(LocalDate day) {
    List<IcebergTable.PlannedFile> files = table.refresh().dayFiles(day);
    return new DayContent(
        day,
        files.size(),
        files.stream().mapToLong(IcebergTable.PlannedFile::rows).sum(),
        catalog.processedDay(day));
  }

  /**
   * Removes a day (one committed by mistake): one Iceberg commit that deletes the day's partition
   * (checked against concurrent writers of the day, as a run's commit), then the catalog's
   * bookkeeping of the day (counts, files, quarantine, its partition of the processed table). Under
   * the day's lock. Empty when there was nothing to drop. The raw files are not touched. Killed
   * between the two, the table has no files of the day and the catalog still names it: dropping it
   * again finishes the job.
   */
  public Optional<DroppedDay> dropDay(LocalDate day, String runId, Consumer<String> waiting) {
    try (NamedLock lock = lockDay(day, waiting)) {
      settle(day);
      DayContent content = content(day);
      if (content.isEmpty()) {
        return Optional.empty();
      }
      Optional<Long> snapshot = Optional.empty();
      if (content.files() > 0) {
        snapshot = Optional.of(table.commitDay(day, runId, List.of(), table.currentSnapshotId()));
      }
      catalog.forgetDay(day, ProcessedSchema.TABLE);
      LOG.info(
          "{}: dropped {} rows in {} files (snapshot {})",
          day,
          content.rows(),
          content.files(),
          snapshot.orElse(null));
      return Optional.of(new DroppedDay(content, snapshot));
    }
  }

  private void promote(LocalDate day, String runId) {
    promote(day, runId, table.currentSnapshotId().orElse(0L));
  }

  private void promote(LocalDate day, String runId, long snapshot) {
    List<ProcessedDay.ProcessedFile> files =
        table.dayFiles(day).stream()
            .map(f -> new ProcessedDay.ProcessedFile(f.location(), f.rows(), f.bytes()))
            .toList();
    catalog.promoteDay(day, runId, snapshot, files);
    // the catalog's column list mirrors the table's schema, for `cdr catalog` and the console
    List<CatalogColumn> cols = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, ColumnType> c : table.columns().entrySet()) {
      if (ProcessedSchema.PARTITION_COLUMNS.stream().noneMatch(p -> p.name().equals(c.getKey()))) {
        cols.add(new CatalogColumn(c.getKey(), c.getKey(), c.getValue(), i++));
      }
    }
    catalog
        .mergeColumns(ProcessedSchema.TABLE, cols)
        .forEach(ch -> LOG.info("schema change: {}", ch));
  }

  @Override
  public void close() {
    table.close();
  }
}
