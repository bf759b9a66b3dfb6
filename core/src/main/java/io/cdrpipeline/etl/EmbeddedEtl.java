package io.cdrpipeline.etl;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.DayCommit;
import io.cdrpipeline.catalog.NamedLock;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedLayout;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.query.DuckDb;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ETL (the Glue job of the original): turns one day of raw CDR files into one
 * Parquet file of {@code processed_cdrs}, on this machine.
 *
 * <p>Per day: list only that day's folders (one per voice connector and bucket); read and
 * normalize the files on a pool of workers, each appending rows to its own DuckDB staging
 * table; have DuckDB sort and write them as Parquet; upload the file under a new name; swap
 * the day's file list in the catalog in one transaction; then delete the files the day no
 * longer uses. A crash at any point leaves the previous version of the day as the one queries
 * read, and the next run removes what the crash left behind.
 */
public final class EmbeddedEtl {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEtl.class);
  private static final int BATCH = 128;
  private static final List<String> END = new ArrayList<>();
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private final Catalog catalog;
  private final List<RawSource> sources;
  private final ObjectStore processed;
  private final String memoryLimit;
  private final Path tempDir;
  private final EtlListener listener;
  private final Normalizer normalizer = new Normalizer();

  public EmbeddedEtl(Catalog catalog, List<RawSource> sources, ObjectStore processed, String memoryLimit,
      Path tempDir, EtlListener listener) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("at least one CDR bucket is needed");
    }
    this.sources = List.copyOf(sources);
    this.processed = Objects.requireNonNull(processed, "processed");
    this.memoryLimit = memoryLimit;
    this.tempDir = Objects.requireNonNull(tempDir, "tempDir");
    this.listener = listener == null ? EtlListener.NONE : listener;
  }

  /** Processes exactly one day (the daily job); always rewrites it. */
  public EtlSummary runDay(LocalDate day, int workers) {
    return run("daily", List.of(day), workers, false, true);
  }

  /**
   * Processes every crawled day (the full job). A day already processed whose raw objects are
   * unchanged is skipped unless {@code force}; a killed run resumes where it stopped.
   */
  public EtlSummary runFull(int workers, boolean force) {
    Set<LocalDate> days = new TreeSet<>();
    for (RawSource s : sources) {
      for (Partition p : catalog.partitions(ProcessedSchema.RAW_TABLE, s.name())) {
        days.add(p.date());
      }
    }
    return run("full", new ArrayList<>(days), workers, !force, false);
  }

  /** Registers the processed table in the catalog (where it lives, its format and partitions), if it is not yet. */
  public void ensureTable() {
    catalog.ensureTable(new CatalogTable(ProcessedSchema.TABLE,
        processed.location().display() + "/" + ProcessedLayout.ROOT, "parquet", List.of("year", "month", "day")));
  }

  private EtlSummary run(String mode, List<LocalDate> days, int workers, boolean skipUnchanged, boolean single) {
    String runId = RUN_TIME.format(Instant.now()) + "-" + UUID.randomUUID().toString().substring(0, 8);
    Instant started = Instant.now();
    for (RawSource s : sources) {
      try {
        s.store().checkReadable();
      } catch (IOException e) {
        throw new EtlException("cannot read CDR bucket " + s.store().location().display() + ": " + message(e), e);
      }
    }
    ensureTable();
    catalog.startRun(runId, mode, started);
    List<DaySummary> done = new ArrayList<>();
    try {
      for (LocalDate day : days) {
        DaySummary s = processDay(day, runId, workers, skipUnchanged);
        done.add(s);
        listener.dayFinished(s);
      }
    } catch (RuntimeException e) {
      finish(runId, done, "FAILED", e.getMessage());
      throw e;
    }
    finish(runId, done, "SUCCEEDED", null);
    return new EtlSummary(runId, done, Duration.between(started, Instant.now()));
  }

  private void finish(String runId, List<DaySummary> done, String status, String error) {
    catalog.finishRun(runId, status, (int) done.stream().filter(d -> !d.skipped()).count(),
        (int) done.stream().filter(DaySummary::skipped).count(),
        done.stream().mapToLong(DaySummary::filesRead).sum(), done.stream().mapToLong(DaySummary::rowsWritten).sum(),
        done.stream().mapToLong(DaySummary::rejected).sum(), done.stream().mapToLong(DaySummary::bytesRead).sum(), error);
  }

  private DaySummary processDay(LocalDate day, String runId, int workers, boolean skipUnchanged) {
    listener.dayStarted(day);
    try (NamedLock lock = NamedLock.acquire(catalog.database(), "etl-day-" + day, listener::message)) {
      if (skipUnchanged) {
        var previous = catalog.processedDay(day);
        if (previous.isPresent()) {
          SourceFingerprint now = new SourceFingerprint();
          for (int i = 0; i < sources.size(); i++) {
            int src = i;
            for (String vc : sources.get(i).store().listFolders(RawLayout.ROOT)) {
              sources.get(i).store().list(RawLayout.dayPrefix(vc, day), o -> now.add(src, o));
            }
          }
          if (now.value().equals(previous.get().fingerprint())) {
            return new DaySummary(day, true, 0, 0, 0, 0, 0, Duration.ZERO, null);
          }
        }
      }
      return new DayRun(day, runId, workers).execute();
    } catch (IOException e) {
      throw new EtlException("ETL of " + day + " failed: " + message(e) + " (the previous data of the day is intact)", e);
    } catch (SQLException e) {
      throw new EtlException("ETL of " + day + " failed in DuckDB: " + message(e) + " (the previous data of the day is intact)", e);
    }
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    if (e instanceof NoSuchFileException) {
      m = "no such file or folder " + e.getMessage();
    }
    if (m == null) {
      m = e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** The work on one day. */
  private final class DayRun {
    private final LocalDate day;
    private final String runId;
    private final int workers;
    private final SourceFingerprint fingerprint = new SourceFingerprint();
    private final AtomicLong filesDone = new AtomicLong();
    private final AtomicLong listed = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong rowsRead = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Map<String, ColumnType> extraTypes = new ConcurrentHashMap<>();
    private final List<StagingFile> staged = new ArrayList<>();
    private volatile boolean listingDone;

    DayRun(LocalDate day, String runId, int workers) {
      this.day = day;
      this.runId = runId;
      this.workers = effectiveWorkers(workers);
    }

    DaySummary execute() throws IOException, SQLException {
      Instant started = Instant.now();
      long t0 = System.nanoTime();
      Path work = tempDir.resolve("etl-" + runId + "-" + day);
      removeLeftovers(work);
      Files.createDirectories(work);
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "etl-progress");
        t.setDaemon(true);
        return t;
      });
      ticker.scheduleAtFixedRate(() -> listener.progress(day, filesDone.get(), listed.get(), listingDone),
          250, 250, TimeUnit.MILLISECONDS);
      // DuckDB loads its native library while the files are read, not after
      java.util.concurrent.CompletableFuture<Connection> duckOpening = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return DuckDb.open(memoryLimit, work.resolve("duckdb"), 0);
        } catch (SQLException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      try {
        readAll(work);
        LOG.info("{}: read {} files in {} ms", day, filesDone.get(), (System.nanoTime() - t0) / 1_000_000);
        listener.progress(day, filesDone.get(), filesDone.get(), true);
        Failpoints.hit("etl.after-read");
        List<ProcessedDay.ProcessedFile> files = new ArrayList<>();
        long rows = 0;
        long bytesWritten = 0;
        if (rowsRead.get() > 0) {
          Path parquet = work.resolve("part.parquet");
          try (Connection duck = opened(duckOpening); Statement s = duck.createStatement()) {
            s.execute("SET preserve_insertion_order = false");
            rows = s.executeUpdate("COPY (" + selectSql() + ") TO " + DuckDb.literal(parquet.toString())
                + " (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)");
          }
          bytesWritten = Files.size(parquet);
          LOG.info("{}: wrote {} rows to Parquet ({} bytes) at {} ms", day, rows, bytesWritten,
              (System.nanoTime() - t0) / 1_000_000);
          String key = ProcessedLayout.fileKey(day, runId, 0);
          processed.putFile(key, parquet);
          files.add(new ProcessedDay.ProcessedFile(key, rows, bytesWritten));
        }
        Failpoints.hit("etl.before-commit");
        List<String> replaced = catalog.commitDay(new DayCommit(day, runId, fingerprint.value(), fingerprint.count(),
            fingerprint.bytes(), rows, files, rejected.get(), this::rejections, Instant.now()));
        Failpoints.hit("etl.after-commit");
        LOG.info("{}: committed at {} ms", day, (System.nanoTime() - t0) / 1_000_000);
        cleanUp(files, replaced);
        List<CatalogColumn> columns = new ArrayList<>(Catalog.asCatalogColumns(ProcessedSchema.COLUMNS));
        new TreeSet<>(extraTypes.keySet()).forEach(name -> columns.add(new CatalogColumn(name, name, extraTypes.get(name), 0)));
        catalog.mergeColumns(ProcessedSchema.TABLE, columns).forEach(c -> LOG.info("schema change: {}", c));
        String output = processed.location().display() + "/" + ProcessedLayout.dayPrefix(day);
        return new DaySummary(day, false, filesDone.get(), rows, rejected.get(), bytesRead.get(), bytesWritten,
            Duration.between(started, Instant.now()), output);
      } finally {
        ticker.shutdownNow();
        duckOpening.thenAccept(c -> {
          try {
            c.close(); // closing twice is harmless
          } catch (SQLException ignored) {
            // nothing held
          }
        });
        deleteTree(work);
      }
    }

    private Connection opened(java.util.concurrent.CompletableFuture<Connection> opening) throws SQLException {
      try {
        return opening.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof SQLException sql) {
          throw sql;
        }
        throw e;
      }
    }

    /**
     * Deletes the staging folders of earlier runs of this day that were killed: this run holds
     * the day's lock, so no live run uses them.
     */
    private void removeLeftovers(Path mine) {
      if (!Files.isDirectory(tempDir)) {
        return;
      }
      try (var dirs = Files.newDirectoryStream(tempDir, "etl-*-" + day)) {
        for (Path d : dirs) {
          if (!d.equals(mine)) {
            LOG.info("removing the staging folder of an interrupted run: {}", d);
            deleteTree(d);
          }
        }
      } catch (IOException e) {
        LOG.warn("cannot clean {}: {}", tempDir, e.getMessage());
      }
    }

    /** Lists the day and feeds the workers; returns when every listed file is staged. */
    private void readAll(Path work) throws IOException {
      for (int w = 0; w < workers; w++) {
        staged.add(new StagingFile(work, w, extraTypes));
      }
      List<Thread> threads = new ArrayList<>();
      BlockingQueue<SourcedBatch> queue = new ArrayBlockingQueue<>(workers * 8);
      for (int w = 0; w < workers; w++) {
        StagingFile out = staged.get(w);
        Thread t = new Thread(() -> worker(out, queue), "etl-worker-" + w);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
      try {
        for (int i = 0; i < sources.size() && failure.get() == null; i++) {
          RawSource src = sources.get(i);
          int srcIndex = i;
          for (String vc : src.store().listFolders(RawLayout.ROOT)) {
            List<String>[] batch = new List[] {new ArrayList<>(BATCH)};
            src.store().listKeys(RawLayout.dayPrefix(vc, day), key -> {
              listed.incrementAndGet();
              batch[0].add(key);
              if (batch[0].size() == BATCH) {
                put(queue, new SourcedBatch(srcIndex, batch[0]));
                batch[0] = new ArrayList<>(BATCH);
              }
            });
            if (!batch[0].isEmpty()) {
              put(queue, new SourcedBatch(srcIndex, batch[0]));
            }
            if (failure.get() != null) {
              break;
            }
          }
        }
      } finally {
        listingDone = true;
        for (int w = 0; w < workers; w++) {
          put(queue, new SourcedBatch(-1, END));
        }
        for (Thread t : threads) {
          try {
            t.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
      }
      Throwable f = failure.get();
      if (f instanceof IOException io) {
        throw io;
      }
      if (f instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (f != null) {
        throw new IllegalStateException("ETL worker failed: " + f, f);
      }
    }

    private void put(BlockingQueue<SourcedBatch> q, SourcedBatch b) {
      try {
        while (!q.offer(b, 100, TimeUnit.MILLISECONDS)) {
          if (failure.get() != null && b.source() >= 0) {
            return; // the run fails anyway; the workers only drain now
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException("interrupted"));
      }
    }

    private void worker(StagingFile out, BlockingQueue<SourcedBatch> queue) {
      SourceFingerprint seen = new SourceFingerprint();
      try (out) {
        while (true) {
          SourcedBatch b = queue.take();
          if (b.source() < 0) {
            break;
          }
          if (failure.get() != null) {
            continue; // drain so the lister never blocks
          }
          RawSource src = sources.get(b.source());
          for (String key : b.keys()) {
            process(src, b.source(), key, out, seen);
          }
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        try {
          while (true) {
            SourcedBatch b = queue.poll(100, TimeUnit.MILLISECONDS);
            if ((b != null && b.source() < 0) || (b == null && listingDone && queue.isEmpty())) {
              break;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } finally {
        fingerprint.merge(seen);
      }
    }

    /** Reads, normalizes and stages one object, or every object under a sub-folder. */
    private void process(RawSource src, int source, String key, StagingFile out, SourceFingerprint seen)
        throws IOException {
      Optional<StoredObject> read = src.store().readObject(key);
      if (read.isEmpty()) {
        if (src.store().isFolder(key)) {
          for (ObjectInfo o : src.store().listAll(key + "/")) {
            listed.incrementAndGet();
            process(src, source, o.key(), out, seen);
          }
        } else {
          listener.message("file vanished while processing, skipped: " + key);
        }
        return;
      }
      StoredObject so = read.get();
      seen.add(source, so.info());
      bytesRead.addAndGet(so.content().length);
      String sourceKey = src.sourceKeyPrefix().isEmpty() ? key : src.sourceKeyPrefix() + key;
      NormalizedRecord r = normalizer.normalize(so.content(), sourceKey);
      if (r instanceof ProcessedRow row) {
        out.row(row, source);
        rowsRead.incrementAndGet();
      } else {
        out.reject((Rejection) r);
        rejected.incrementAndGet();
      }
      filesDone.incrementAndGet();
      Failpoints.hit("etl.read");
    }

    /** The final rows: known columns, extra columns typed, duplicates across buckets removed. */
    private String selectSql() {
      StringBuilder cols = new StringBuilder();
      for (Column c : ProcessedSchema.COLUMNS) {
        String name = DuckDb.ident(c.name());
        if (c.type() == ColumnType.TIMESTAMP) {
          cols.append("make_timestamp(").append(name).append(" * 1000000) AS ").append(name).append(", ");
        } else {
          cols.append(name).append(", ");
        }
      }
      new TreeSet<>(extraTypes.keySet()).forEach(name -> {
        String path = DuckDb.literal("$." + name);
        String type = extraTypes.get(name).name();
        cols.append("TRY_CAST(json_extract_string(_extras, ").append(path).append(") AS ").append(type)
            .append(") AS ").append(DuckDb.ident(name)).append(", ");
      });
      cols.setLength(cols.length() - 2);
      String files = staged.stream().map(f -> DuckDb.literal(f.rowsFile().toString())).collect(Collectors.joining(", "));
      String source = "read_csv([" + files + "], columns = " + StagingFile.rowColumnsSpec()
          + ", header = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, "
          + "auto_detect = false, strict_mode = true)";
      String dedup = sources.size() > 1
          ? " QUALIFY row_number() OVER (PARTITION BY coalesce(transactionid, source_key), callid "
              + "ORDER BY _source, source_key) = 1"
          : "";
      return "SELECT " + cols + " FROM " + source + dedup
          + " ORDER BY voiceconnectorid NULLS LAST, starttimeepochseconds, source_key";
    }

    /** Streams the staged rejections. */
    private void rejections(Consumer<Rejection> sink) throws IOException {
      CsvMapper mapper = new CsvMapper();
      for (StagingFile f : staged) {
        if (!Files.exists(f.rejectsFile()) || Files.size(f.rejectsFile()) == 0) {
          continue;
        }
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(f.rejectsFile().toFile())) {
          while (it.hasNext()) {
            String[] r = it.next();
            sink.accept(new Rejection(r[0], r.length > 1 ? r[1] : ""));
          }
        }
      }
    }

    /** Deletes the day's files that the committed list no longer names, crash leftovers too. */
    private void cleanUp(List<ProcessedDay.ProcessedFile> files, List<String> replaced) {
      Set<String> keep = new HashSet<>();
      files.forEach(f -> keep.add(f.key()));
      Set<String> doomed = new HashSet<>(replaced);
      try {
        processed.list(ProcessedLayout.dayPrefix(day), o -> {
          if (ProcessedLayout.isDataFile(o.name())) {
            doomed.add(o.key());
          }
        });
      } catch (IOException e) {
        LOG.warn("cannot list {} to remove old files: {}", ProcessedLayout.dayPrefix(day), e.getMessage());
      }
      doomed.removeAll(keep);
      for (String key : doomed) {
        try {
          processed.delete(key);
        } catch (IOException e) {
          LOG.warn("cannot delete replaced file {} (the next run retries): {}", key, e.getMessage());
        }
      }
    }
  }

  /** A batch of listed objects of one source. */
  private record SourcedBatch(int source, List<String> keys) {}

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      });
    } catch (IOException ignored) {
      // same
    }
  }

  /**
   * The readers a run really uses: for a local folder the requested number but no more than
   * the cores (more threads only slow it down), for S3 its requests in flight.
   */
  public int effectiveWorkers(int requested) {
    return Math.max(1, sources.stream().mapToInt(s -> s.store().readers(requested)).max().orElse(requested));
  }
}
