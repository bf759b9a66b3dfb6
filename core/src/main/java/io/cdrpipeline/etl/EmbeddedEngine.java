package io.cdrpipeline.etl;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.model.RowRules;
import io.cdrpipeline.table.DayTarget;
import io.cdrpipeline.table.IcebergTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ETL engine (the Glue job's Spark work, on this machine): turns one day of raw
 * CDR files into one Parquet data file of the processed table.
 *
 * <p>It lists only that day's folders (one per voice connector and bucket), reads and
 * normalizes the files on a pool of workers, each appending rows to its own staging file, then
 * has DuckDB apply the {@link RowRules} (duplicate calls across buckets, types of unknown
 * fields, sort order) and write the rows as Parquet carrying the table's field ids, and puts
 * the file at its place in the table. It commits nothing: the caller does.
 */
public final class EmbeddedEngine implements EtlEngine {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEngine.class);
  private static final int BATCH = 128;
  private static final List<String> END = new ArrayList<>();

  private final List<RawSource> sources;
  private final String memoryLimit;
  private final Path tempDir;
  private final EtlListener listener;
  private final RawFileReader reader = new RawFileReader();

  public EmbeddedEngine(List<RawSource> sources, String memoryLimit, Path tempDir, EtlListener listener) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("at least one CDR bucket is needed");
    }
    this.sources = List.copyOf(sources);
    this.memoryLimit = memoryLimit;
    this.tempDir = Objects.requireNonNull(tempDir, "tempDir is null");
    this.listener = listener == null ? EtlListener.NONE : listener;
  }

  @Override
  public DayResult process(DayTarget target, int workers) throws IOException {
    try {
      return new DayRun(target, workers).execute();
    } catch (SQLException e) {
      throw new IOException("DuckDB: " + e.getMessage(), e);
    }
  }

  /** The work on one day. */
  private final class DayRun {
    private final DayTarget target;
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
    private Path fieldRejects;
    private volatile boolean listingDone;

    DayRun(DayTarget target, int workers) {
      this.target = target;
      this.day = target.day();
      this.runId = target.runId();
      this.workers = effectiveWorkers(workers);
    }

    DayResult execute() throws IOException, SQLException {
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
      boolean handedOver = false;
      try {
        readAll(work);
        LOG.info("{}: read {} files in {} ms", day, filesDone.get(), (System.nanoTime() - t0) / 1_000_000);
        listener.progress(day, filesDone.get(), filesDone.get(), true);
        Failpoints.hit("etl.after-read");
        List<IcebergTable.NewFile> files = new ArrayList<>();
        long rows = 0;
        long bytesWritten = 0;
        if (rowsRead.get() > 0) {
          Path parquet = work.resolve("part.parquet");
          try (Connection duck = opened(duckOpening); Statement s = duck.createStatement()) {
            s.execute("SET preserve_insertion_order = false");
            List<String> dropped = limitUnknownFields(s, work);
            Map<String, RowRules.ExtraPlacement> extras = placeExtras();
            Map<String, Integer> ids = target.addColumns(newColumns(extras));
            rows = s.executeUpdate("COPY (" + selectSql(dropped, extras) + ") TO " + DuckDb.literal(parquet.toString())
                + " (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880, FIELD_IDS " + fieldIds(ids, extras) + ")");
          }
          if (rows > 0) {
            bytesWritten = Files.size(parquet);
            LOG.info("{}: wrote {} rows to Parquet ({} bytes) at {} ms", day, rows, bytesWritten,
                (System.nanoTime() - t0) / 1_000_000);
            String location = target.newDataFile(0);
            target.upload(parquet, location);
            files.add(new IcebergTable.NewFile(location, bytesWritten, rows));
          }
        }
        DayResult result = new DayResult(day, runId, files, filesDone.get(), rows, rejected.get(), bytesRead.get(),
            bytesWritten, fingerprint, this::rejections, () -> deleteTree(work));
        handedOver = true;
        return result;
      } finally {
        ticker.shutdownNow();
        // wait for the opening even when it was not needed (an empty day): it makes DuckDB's
        // folder in the work folder, which must not appear after the work folder is removed
        try {
          duckOpening.join().close(); // closing twice is harmless
        } catch (RuntimeException | SQLException ignored) {
          // it failed to open, or is closed: nothing held
        }
        if (!handedOver) {
          deleteTree(work);
        }
      }
    }

    /** Where each unknown field of the day goes, by the {@link RowRules}, given the table's columns. */
    private Map<String, RowRules.ExtraPlacement> placeExtras() {
      Map<String, ColumnType> table = target.columns();
      Map<String, RowRules.ExtraPlacement> out = new LinkedHashMap<>();
      for (String name : new TreeSet<>(extraTypes.keySet())) {
        out.put(name, RowRules.placeExtra(name, extraTypes.get(name), Optional.ofNullable(table.get(name))));
      }
      return out;
    }

    private List<Column> newColumns(Map<String, RowRules.ExtraPlacement> extras) {
      List<Column> cols = new ArrayList<>();
      for (RowRules.ExtraPlacement p : extras.values()) {
        cols.add(new Column(p.column(), p.type()));
        p.textColumn().ifPresent(t -> cols.add(new Column(t, ColumnType.VARCHAR)));
      }
      return cols;
    }

    /** DuckDB's FIELD_IDS option: every column the file has, with the table's id of it. */
    private String fieldIds(Map<String, Integer> ids, Map<String, RowRules.ExtraPlacement> extras) {
      List<String> names = new ArrayList<>();
      ProcessedSchema.COLUMNS.forEach(c -> names.add(c.name()));
      for (RowRules.ExtraPlacement p : extras.values()) {
        names.add(p.column());
        p.textColumn().ifPresent(names::add);
      }
      ProcessedSchema.PARTITION_COLUMNS.forEach(c -> names.add(c.name()));
      return names.stream().map(n -> {
        Integer id = ids.get(n);
        if (id == null) {
          throw new IllegalStateException("the table has no column " + n);
        }
        return DuckDb.ident(n) + ": " + id;
      }).collect(Collectors.joining(", ", "{", "}"));
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
      RawFileReader.Sink staging = sink(out);
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
            reader.read(src, b.source(), key, staging, seen);
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

    /** Stages what the shared reader reads, and counts it. */
    private RawFileReader.Sink sink(StagingFile out) {
      return new RawFileReader.Sink() {
        @Override
        public void row(ProcessedRow row, int source, long bytes) throws IOException {
          bytesRead.addAndGet(bytes);
          out.row(row, source);
          rowsRead.incrementAndGet();
          filesDone.incrementAndGet();
        }

        @Override
        public void rejected(Rejection rejection, long bytes) throws IOException {
          bytesRead.addAndGet(bytes);
          out.reject(rejection);
          rejected.incrementAndGet();
          filesDone.incrementAndGet();
        }

        @Override
        public void listed() {
          listed.incrementAndGet();
        }

        @Override
        public void vanished(String key) {
          listener.message("file vanished while processing, skipped: " + key);
        }
      };
    }

    /**
     * Keeps the day to {@link InputLimits#MAX_UNKNOWN_FIELDS} unknown fields, the most common
     * ones (then by name): each is a column that widens every row of the day. The files that
     * bring any other are quarantined. Returns the fields left out (usually none).
     */
    private List<String> limitUnknownFields(Statement s, Path work) throws SQLException {
      if (extraTypes.size() <= InputLimits.MAX_UNKNOWN_FIELDS) {
        return List.of();
      }
      List<String> ranked = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT k FROM (SELECT unnest(json_keys(_extras)) AS k FROM "
          + stagedRows() + " WHERE _extras IS NOT NULL) GROUP BY k ORDER BY count(*) DESC, k")) {
        while (rs.next()) {
          ranked.add(rs.getString(1));
        }
      }
      List<String> dropped = List.copyOf(ranked.subList(Math.min(InputLimits.MAX_UNKNOWN_FIELDS, ranked.size()),
          ranked.size()));
      String list = sqlList(dropped);
      fieldRejects = work.resolve("rejects-fields.csv");
      long n = s.executeUpdate("COPY (SELECT source_key, 'unknown field ' || list_filter(json_keys(_extras), "
          + "lambda k: list_contains(" + list + ", k))[1] || ' is beyond the " + InputLimits.MAX_UNKNOWN_FIELDS
          + " unknown fields a day may add (the most common are kept)' FROM " + stagedRows()
          + " WHERE " + hasAny(list) + ") TO " + DuckDb.literal(fieldRejects.toString()) + " (FORMAT csv, HEADER false)");
      rejected.addAndGet(n);
      // the columns are those of the rows that stay: a kept field may have come only with dropped ones
      Set<String> remaining = new HashSet<>();
      try (ResultSet rs = s.executeQuery("SELECT DISTINCT unnest(json_keys(_extras)) FROM " + stagedRows()
          + " WHERE NOT " + hasAny(list))) {
        while (rs.next()) {
          remaining.add(rs.getString(1));
        }
      }
      extraTypes.keySet().retainAll(remaining);
      LOG.info("{}: {} unknown fields beyond the limit of {}; {} files with them quarantined", day, dropped.size(),
          InputLimits.MAX_UNKNOWN_FIELDS, n);
      return dropped;
    }

    /**
     * The final rows by the {@link RowRules}: known columns, unknown fields in the columns and
     * types the rules place them in, duplicates across buckets removed, rows with a dropped
     * unknown field left out, the partition columns, in the rules' order. The unknown fields
     * are parsed once per row; a field whose values may not fit its column is read again as text.
     */
    private String selectSql(List<String> dropped, Map<String, RowRules.ExtraPlacement> extras) {
      StringBuilder cols = new StringBuilder();
      for (Column c : ProcessedSchema.COLUMNS) {
        String name = DuckDb.ident(c.name());
        if (c.type() == ColumnType.TIMESTAMP) {
          // staged as whole epoch seconds (RowRules.TIMESTAMP_SOURCES)
          cols.append("make_timestamp(").append(name).append(" * 1000000) AS ").append(name).append(", ");
        } else {
          cols.append(name).append(", ");
        }
      }
      StringBuilder shape = new StringBuilder("{");
      for (Map.Entry<String, RowRules.ExtraPlacement> e : extras.entrySet()) {
        String field = e.getKey();
        RowRules.ExtraPlacement p = e.getValue();
        // names are column names (a-z, 0-9, _), so they need no escaping in the JSON shape
        shape.append(shape.length() > 1 ? ", " : "").append('"').append(field).append("\": \"")
            .append(p.type().name()).append('"');
        if (p.textColumn().isEmpty()) {
          cols.append("_values.").append(DuckDb.ident(field)).append(" AS ").append(DuckDb.ident(p.column())).append(", ");
        } else {
          // only a value whose own type fits the column's goes in it (ExtraValues.inColumn): DuckDB's
          // cast alone would round 1.5 into a BIGINT column and read "yes" as true
          String raw = "json_extract(_extras, " + DuckDb.literal("$." + field) + ")";
          String fits = "json_type(" + raw + ") IN (" + fittingJsonTypes(p.type()) + ")";
          cols.append("CASE WHEN ").append(fits).append(" THEN _values.").append(DuckDb.ident(field)).append(" END AS ")
              .append(DuckDb.ident(p.column())).append(", ");
          cols.append("CASE WHEN NOT ").append(fits).append(" THEN CASE WHEN json_type(").append(raw)
              .append(") = 'VARCHAR' THEN json_extract_string(_extras, ").append(DuckDb.literal("$." + field))
              .append(") ELSE CAST(").append(raw).append(" AS VARCHAR) END END AS ")
              .append(DuckDb.ident(p.textColumn().get())).append(", ");
        }
      }
      cols.append(day.getYear()).append(" AS year, ").append(day.getMonthValue()).append(" AS month, ")
          .append(day.getDayOfMonth()).append(" AS day");
      String source = stagedRows();
      if (!extras.isEmpty()) {
        source = "(SELECT *, json_transform(_extras, " + DuckDb.literal(shape.append('}').toString())
            + ") AS _values FROM " + source + ")";
      }
      String where = dropped.isEmpty() ? "" : " WHERE NOT " + hasAny(sqlList(dropped));
      String dedup = "";
      if (sources.size() > 1) {
        String partition = RowRules.CALL_IDENTITY.stream()
            .map(part -> part.size() == 1 ? part.get(0) : "coalesce(" + String.join(", ", part) + ")")
            .collect(Collectors.joining(", "));
        dedup = " QUALIFY row_number() OVER (PARTITION BY " + partition + " ORDER BY _source, source_key) = 1";
      }
      String order = RowRules.SORT_ORDER.stream()
          .map(k -> DuckDb.ident(k.column()) + (k.nullsLast() ? " NULLS LAST" : " NULLS FIRST"))
          .collect(Collectors.joining(", "));
      return "SELECT " + cols + " FROM " + source + where + dedup + " ORDER BY " + order;
    }

    /** DuckDB's JSON types of the staged values whose type fits a column of this type ({@link RowRules#fits}). */
    private static String fittingJsonTypes(ColumnType column) {
      switch (column) {
        case BIGINT:
          return "'BIGINT', 'UBIGINT'";
        case DOUBLE:
          return "'BIGINT', 'UBIGINT', 'DOUBLE'";
        case BOOLEAN:
          return "'BOOLEAN'";
        default:
          throw new IllegalStateException("no text column for a column of type " + column);
      }
    }

    /** The staged rows, as DuckDB reads them. */
    private String stagedRows() {
      String files = staged.stream().map(f -> DuckDb.literal(f.rowsFile().toString())).collect(Collectors.joining(", "));
      return "read_csv([" + files + "], columns = " + StagingFile.rowColumnsSpec()
          + ", header = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, "
          + "auto_detect = false, strict_mode = true, max_line_size = " + StagingFile.MAX_LINE_BYTES
          + ", buffer_size = " + 2L * StagingFile.MAX_LINE_BYTES + ")";
    }

    private static String sqlList(List<String> values) {
      return "[" + values.stream().map(DuckDb::literal).collect(Collectors.joining(", ")) + "]::VARCHAR[]";
    }

    private static String hasAny(String list) {
      return "coalesce(list_has_any(json_keys(_extras), " + list + "), false)";
    }

    /** Streams the staged rejections: source key and reason of each. */
    private void rejections(BiConsumer<String, String> sink) throws IOException {
      CsvMapper mapper = new CsvMapper();
      List<Path> files = new ArrayList<>();
      staged.forEach(f -> files.add(f.rejectsFile()));
      if (fieldRejects != null) {
        files.add(fieldRejects);
      }
      for (Path f : files) {
        if (!Files.exists(f) || Files.size(f) == 0) {
          continue;
        }
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(f.toFile())) {
          while (it.hasNext()) {
            String[] r = it.next();
            sink.accept(r[0], r.length > 1 ? r[1] : "");
          }
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
  @Override
  public int effectiveWorkers(int requested) {
    return Math.max(1, sources.stream().mapToInt(s -> s.store().readers(requested)).max().orElse(requested));
  }
}
