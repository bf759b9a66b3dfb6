package io.cdrpipeline.watch;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.NamedLock;
import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.etl.DayResult;
import io.cdrpipeline.etl.EmbeddedEngine;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.table.DayTarget;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of {@code cdr watch}: finds the raw objects of today, and of yesterday until the daily
 * ETL has replaced it, that the table does not hold yet; normalizes them by the ETL's rules (the
 * embedded engine, on exactly those keys); and appends them to their days' partitions as one
 * Iceberg append whose snapshot summary names the batch ({@value #BATCH}).
 *
 * <p>Finding new objects: every poll lists the watched days' folders (keys are not in time order,
 * so a listing from the last key seen would miss objects) and subtracts the keys earlier batches
 * took, which the catalog keeps per day ({@code watch_keys}) and this process keeps in memory,
 * reading only the keys of batches committed since it last looked. A poll that finds nothing reads
 * no raw object and no data file and commits nothing.
 *
 * <p>Never twice: a batch's keys, quarantine and files are staged in the catalog before its commit
 * and promoted after it. A watch that died in between tells from the table whether the batch
 * committed (a snapshot whose summary names it, or a data file of the day named after it): the next
 * poll promotes it, or forgets its keys so they are taken again. A day is appended to only while
 * this poll holds the day's lock (the ETL's), so the daily ETL never runs on it meanwhile; once the
 * ETL has replaced a day, the table holds it from all its raw objects and the watch leaves it
 * alone. The watch writes no {@code processed_days} bookkeeping: the ETL's skip of unchanged days
 * and its {@code etl.maxShrink} check compare against the ETL's own last commit only.
 */
public final class WatchJob {
  private static final Logger LOG = LoggerFactory.getLogger(WatchJob.class);

  /** Snapshot summary key: the watch batch a commit appended. */
  public static final String BATCH = IcebergTable.WATCH_BATCH;

  /** Snapshot summary key: the days the batch appended to, {@code YYYY-MM-DD,...}. */
  public static final String DAYS = "cdr.watch-days";

  /** Snapshot summary key: how many raw objects the batch took. */
  public static final String OBJECTS = "cdr.watch-objects";

  /** Snapshot summary key: SHA-256 (hex, first 32) of the batch's sorted day/source/key lines. */
  public static final String DIGEST = "cdr.watch-digest";

  /** The lock one poll of a deployment holds, so two watches never take the same object. */
  static final String LOCK = "cdr-watch";

  private static final DateTimeFormatter BATCH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private final Catalog catalog;
  private final WatchBook book;
  private final List<RawSource> sources;
  private final ProcessedTable table;
  private final EmbeddedEngine engine;
  private final int workers;
  private final Clock clock;
  private final WatchListener listener;
  private final Consumer<String> log;

  /** The objects committed batches took, per day. */
  private final Map<LocalDate, KeySet> known = new HashMap<>();

  private long knownUpTo = -1;

  public WatchJob(
      Catalog catalog,
      List<RawSource> sources,
      ProcessedTable table,
      String memoryLimit,
      Path tempDir,
      int workers,
      Clock clock,
      WatchListener listener,
      Consumer<String> log) {
    this.catalog = Objects.requireNonNull(catalog, "catalog is null");
    this.book = new WatchBook(catalog);
    this.sources = List.copyOf(sources);
    this.table = Objects.requireNonNull(table, "table is null");
    this.engine = new EmbeddedEngine(sources, memoryLimit, tempDir, null);
    this.workers = workers;
    this.clock = Objects.requireNonNull(clock, "clock is null");
    this.listener = listener == null ? WatchListener.NONE : listener;
    this.log = log == null ? s -> {} : log;
  }

  /** The days a poll now looks at: today and yesterday (UTC). */
  public List<LocalDate> watchedDays() {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    return List.of(today.minusDays(1), today);
  }

  /**
   * Polls once: settles what a dead watch left, then appends what is new as one batch. Empty when
   * another watch of the deployment is polling now.
   */
  public Optional<WatchBatch> poll() throws IOException {
    Optional<NamedLock> held = NamedLock.tryAcquire(catalog.database(), LOCK);
    if (held.isEmpty()) {
      log.accept("another watch of this deployment is polling: skipped");
      return Optional.empty();
    }
    try (NamedLock lock = held.get()) {
      settle();
      return Optional.of(pollHeld());
    }
  }

  /**
   * Settles the batches a watch staged and did not promote (it died, or its commit's outcome was
   * unknown): promoted when the table holds the batch, forgotten otherwise (its files removed).
   * Call it holding the watch's lock.
   */
  void settle() {
    List<WatchBook.StagedBatch> staged = book.staged();
    if (staged.isEmpty()) {
      return;
    }
    IcebergTable ice = table.iceberg().refresh();
    for (WatchBook.StagedBatch b : staged) {
      Optional<Long> snapshot =
          ice.findSnapshot(BATCH, b.batchId(), b.startedAt().minus(Duration.ofMinutes(10)));
      if (snapshot.isEmpty() && ice.holdsFilesOf(b.batchId(), b.days())) {
        snapshot = ice.currentSnapshotId(); // its snapshot expired, its files are still held
      }
      if (snapshot.isPresent()) {
        log.accept("batch " + b.batchId() + " committed before the watch died: recording it");
        book.promote(b.batchId(), snapshot.get(), clock.instant());
      } else {
        log.accept("batch " + b.batchId() + " died before its commit: its objects are taken again");
        book.discard(b.batchId());
        for (String f : b.files()) {
          try {
            ice.io().deleteFile(f);
          } catch (RuntimeException e) {
            LOG.warn("cannot delete {} (table maintenance removes it later): {}", f, e.toString());
          }
        }
      }
    }
  }

  private WatchBatch pollHeld() throws IOException {
    Instant started = clock.instant();
    refreshKnown();
    book.forgetBefore(watchedDays().get(0)); // days no poll looks at again
    List<String> skipped = new ArrayList<>();
    List<NamedLock> dayLocks = new ArrayList<>();
    List<DayResult> results = new ArrayList<>();
    List<String> uploaded = new ArrayList<>();
    boolean staged = false;
    try {
      // the new keys of each watched day, under the day's lock
      Map<LocalDate, Map<Integer, List<String>>> fresh = new TreeMap<>();
      long listed = 0;
      for (LocalDate day : watchedDays()) {
        Optional<NamedLock> dayLock = table.tryLockDay(day);
        if (dayLock.isEmpty()) {
          skipped.add(day + " is being processed by the ETL");
          continue;
        }
        dayLocks.add(dayLock.get());
        table.settle(day); // an ETL run that died after its commit counts as done
        if (catalog.processedDay(day).isPresent()) {
          // the ETL replaced the day from all its raw objects: late ones come with its next run
          if (known.remove(day) != null || book.hasKeys(day)) {
            int n = book.forgetDay(day);
            log.accept(day + " was replaced by the ETL: the watch leaves it (" + n + " keys)");
          }
          skipped.add(day + " is processed by the ETL");
          continue;
        }
        KeySet seen = knownOf(day);
        Map<Integer, List<String>> mine = new TreeMap<>();
        for (int i = 0; i < sources.size(); i++) {
          int src = i;
          for (String vc : sources.get(i).store().listFolders(RawLayout.ROOT)) {
            long[] n = {0};
            List<String> found = new ArrayList<>();
            sources
                .get(i)
                .store()
                .listKeys(
                    RawLayout.dayPrefix(vc, day),
                    key -> {
                      n[0]++;
                      if (!seen.contains(src, key)) {
                        found.add(key);
                      }
                    });
            listed += n[0];
            if (!found.isEmpty()) {
              mine.computeIfAbsent(src, s -> new ArrayList<>()).addAll(found);
            }
          }
        }
        if (!mine.isEmpty()) {
          fresh.put(day, mine);
        }
      }
      if (fresh.isEmpty()) {
        return new WatchBatch(
            Optional.empty(),
            Optional.empty(),
            List.of(),
            0,
            0,
            0,
            listed,
            skipped,
            Optional.empty());
      }
      String batchId =
          "w" + BATCH_TIME.format(started) + "-" + UUID.randomUUID().toString().substring(0, 8);
      // read and write each day's new objects by the ETL's rules
      Map<LocalDate, List<IcebergTable.NewFile>> files = new LinkedHashMap<>();
      List<WatchBook.TakenKey> taken = new ArrayList<>();
      List<WatchBook.Quarantined> quarantined = new ArrayList<>();
      long rows = 0;
      for (Map.Entry<LocalDate, Map<Integer, List<String>>> e : fresh.entrySet()) {
        LocalDate day = e.getKey();
        DayResult r = engine.processKeys(new Target(day, batchId), workers, e.getValue());
        results.add(r);
        r.files().forEach(f -> uploaded.add(f.location()));
        if (!r.files().isEmpty()) {
          files.put(day, r.files());
        }
        rows += r.rows();
        e.getValue()
            .forEach(
                (src, keys) -> keys.forEach(k -> taken.add(new WatchBook.TakenKey(day, src, k))));
        r.bookkeeping(started)
            .rejections()
            .forEach((key, reason) -> quarantined.add(new WatchBook.Quarantined(day, key, reason)));
      }
      Failpoints.hit("watch.after-write");
      List<String> written =
          files.values().stream()
              .flatMap(List::stream)
              .map(IcebergTable.NewFile::location)
              .toList();
      String digest = digest(taken);
      List<LocalDate> days = new ArrayList<>(fresh.keySet());
      ensureTable();
      book.stage(batchId, started, days, taken, quarantined, rows, digest, written);
      staged = true; // from here on, whatever happens is settled from the table
      Failpoints.hit("watch.before-commit");
      Map<String, String> summary = new LinkedHashMap<>();
      summary.put(BATCH, batchId);
      summary.put(DAYS, String.join(",", days.stream().map(LocalDate::toString).toList()));
      summary.put(OBJECTS, String.valueOf(taken.size()));
      summary.put(DIGEST, digest);
      // a batch of only quarantined objects commits an empty append: its snapshot still records it
      long snapshot = table.iceberg().appendFiles(files, summary);
      Failpoints.hit("watch.after-commit");
      Instant committed = clock.instant();
      book.promote(batchId, snapshot, committed);
      for (WatchBook.TakenKey k : taken) {
        knownOf(k.day()).add(k.source(), k.key());
      }
      knownUpTo = book.lastCommittedSeq();
      WatchBatch batch =
          new WatchBatch(
              Optional.of(batchId),
              Optional.of(snapshot),
              days,
              taken.size(),
              rows,
              quarantined.size(),
              listed,
              skipped,
              Optional.of(committed));
      try {
        listener.batchCommitted(days, batch);
      } catch (RuntimeException ex) {
        LOG.warn("a watch listener failed after batch {}: {}", batchId, ex.toString());
      }
      return batch;
    } finally {
      if (!staged) {
        // nothing of the batch is recorded: its uploads can never become part of the table
        for (String f : uploaded) {
          try {
            table.iceberg().io().deleteFile(f);
          } catch (RuntimeException e) {
            LOG.warn("cannot delete {} (table maintenance removes it later): {}", f, e.toString());
          }
        }
      }
      for (DayResult r : results) {
        r.close();
      }
      for (NamedLock l : dayLocks) {
        l.close();
      }
    }
  }

  /** Registers the processed table in the catalog, as the ETL does, so queries find it. */
  private void ensureTable() {
    catalog.ensureTable(
        new CatalogTable(
            ProcessedSchema.TABLE,
            table.iceberg().location(),
            "iceberg",
            List.of("year", "month", "day")));
  }

  /** Adds the keys of batches committed since this process last looked (by any watch). */
  private void refreshKnown() {
    if (knownUpTo < 0) {
      knownUpTo = book.lastCommittedSeq();
      known.clear(); // loaded per day on first use
      return;
    }
    for (WatchBook.CommittedBatch b : book.committedAfter(knownUpTo)) {
      book.keysOf(
          b.batchId(),
          (day, source, key) -> {
            KeySet set = known.get(day); // a day not loaded yet is loaded whole on first use
            if (set != null) {
              set.add(source, key);
            }
          });
      knownUpTo = b.seq();
    }
    LocalDate oldest = watchedDays().get(0);
    known.keySet().removeIf(d -> d.isBefore(oldest));
  }

  private KeySet knownOf(LocalDate day) {
    return known.computeIfAbsent(
        day,
        d -> {
          KeySet set = new KeySet();
          book.committedKeys(d, (x, source, key) -> set.add(source, key));
          return set;
        });
  }

  private static String digest(List<WatchBook.TakenKey> keys) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      keys.stream()
          .map(k -> k.day() + "/" + k.source() + "/" + k.key())
          .sorted()
          .forEach(l -> md.update((l + "\n").getBytes(StandardCharsets.UTF_8)));
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where a batch writes one day: the table's columns and places, files named after the batch. */
  private final class Target implements DayTarget {
    private final LocalDate day;
    private final String batchId;

    Target(LocalDate day, String batchId) {
      this.day = day;
      this.batchId = batchId;
    }

    @Override
    public LocalDate day() {
      return day;
    }

    @Override
    public String runId() {
      return batchId;
    }

    @Override
    public Map<String, ColumnType> columns() {
      return table.iceberg().columns();
    }

    @Override
    public Map<String, Integer> addColumns(List<Column> columns) {
      table.iceberg().addColumns(columns);
      return table.iceberg().fieldIds();
    }

    @Override
    public String newDataFile(int index) {
      return table.iceberg().newDataFile(day, batchId, index);
    }

    @Override
    public void upload(Path local, String location) throws IOException {
      table.iceberg().upload(local, location);
    }
  }
}
