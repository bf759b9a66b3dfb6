package io.cdrpipeline.crawl;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedLayout;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.query.DuckDb;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds day folders and registers them as partitions, inferring each table's columns from the
 * data. By default only folders not seen before are listed: for each voice connector the walk
 * starts at the newest crawled month, so the cost does not grow with history. With
 * {@code everything} every folder is listed and every partition refreshed.
 */
public final class Crawler {
  private static final Logger LOG = LoggerFactory.getLogger(Crawler.class);
  public static final String SOURCE_CDR = "cdrBucket";
  public static final String SOURCE_ADDITIONAL = "additionalCdrBucket";
  public static final String SOURCE_PROCESSED = "processedBucket";

  private final Catalog catalog;
  private final int sampleFiles;
  private final int workers;
  private final Path tempDir;
  private final Consumer<String> progress;

  /**
   * @param sampleFiles files read per new raw folder to infer columns (0: all)
   * @param progress receives one line per notable step, for the user
   */
  public Crawler(Catalog catalog, int sampleFiles, int workers, Path tempDir, Consumer<String> progress) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.sampleFiles = sampleFiles;
    this.workers = Math.max(1, workers);
    this.tempDir = tempDir;
    this.progress = progress == null ? s -> {} : progress;
  }

  /** Crawls the raw CDR layout of a bucket into {@code amazon_chime_voice_connector_cdrs}. */
  public CrawlResult crawlRaw(ObjectStore store, String source, boolean everything) throws IOException {
    Instant started = Instant.now();
    store.checkReadable();
    catalog.ensureTable(new CatalogTable(ProcessedSchema.RAW_TABLE,
        store.location().display() + "/" + RawLayout.ROOT, "json",
        List.of("voice_connector", "year", "month", "day")));
    Set<String> known = catalog.partitionPaths(ProcessedSchema.RAW_TABLE, source);
    Map<String, LocalDate> latest = everything ? Map.of() : catalog.latestPartitionDates(ProcessedSchema.RAW_TABLE, source);

    int[] listings = {0};
    List<String[]> folders = new ArrayList<>(); // {vc, path, date}
    List<String> connectors = store.listFolders(RawLayout.ROOT);
    listings[0]++;
    for (String vc : connectors) {
      LocalDate from = latest.get(vc);
      String vcPrefix = RawLayout.connectorPrefix(vc);
      List<String> years = store.listFolders(vcPrefix);
      listings[0]++;
      for (String y : years) {
        if (!RawLayout.isYear(y) || (from != null && Integer.parseInt(y) < from.getYear())) {
          continue;
        }
        List<String> months = store.listFolders(vcPrefix + y + "/");
        listings[0]++;
        for (String m : months) {
          if (!RawLayout.isMonth(m)) {
            continue;
          }
          if (from != null && Integer.parseInt(y) == from.getYear() && Integer.parseInt(m) < from.getMonthValue()) {
            continue;
          }
          List<String> days = store.listFolders(vcPrefix + y + "/" + m + "/");
          listings[0]++;
          for (String d : days) {
            Optional<LocalDate> date = RawLayout.date(y, m, d);
            if (date.isEmpty()) {
              continue;
            }
            String path = RawLayout.partitionPath(vc, date.get());
            if (!everything && known.contains(path)) {
              continue;
            }
            folders.add(new String[] {vc, path, date.get().toString()});
          }
        }
      }
    }

    JsonSchemaSampler sampler = new JsonSchemaSampler();
    List<Partition> partitions = new ArrayList<>();
    long objects = 0;
    long bytes = 0;
    int fresh = 0;
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "crawl-reader");
      t.setDaemon(true);
      return t;
    });
    try {
      int n = 0;
      for (String[] f : folders) {
        n++;
        List<ObjectInfo> files = store.listAll(RawLayout.ROOT + f[1] + "/");
        listings[0]++;
        long folderBytes = files.stream().mapToLong(ObjectInfo::size).sum();
        objects += files.size();
        bytes += folderBytes;
        partitions.add(new Partition(ProcessedSchema.RAW_TABLE, source, f[1], f[0], LocalDate.parse(f[2]),
            files.size(), folderBytes, Instant.now()));
        if (!known.contains(f[1])) {
          fresh++;
        }
        sample(store, files, sampler, pool);
        if (folders.size() > 1) {
          progress.accept(String.format("crawled %s (%d files) [%d/%d]", f[1], files.size(), n, folders.size()));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    // columns first: a crawl killed in between then finds the folders again next time
    List<CatalogColumn> observed = new ArrayList<>();
    sampler.columns().forEach((col, e) -> observed.add(new CatalogColumn(col, e.getKey(), e.getValue(), 0)));
    List<SchemaChange> changes = catalog.mergeColumns(ProcessedSchema.RAW_TABLE, observed);
    catalog.upsertPartitions(partitions);
    logChanges(changes);
    if (sampler.unreadable() > 0) {
      LOG.info("{} sampled files were not JSON objects (the ETL quarantines them)", sampler.unreadable());
    }
    return new CrawlResult(ProcessedSchema.RAW_TABLE, everything, listings[0], fresh, partitions.size() - fresh,
        objects, bytes, sampler.sampled(), changes, Duration.between(started, Instant.now()));
  }

  private void sample(ObjectStore store, List<ObjectInfo> files, JsonSchemaSampler sampler, ExecutorService pool) {
    List<ObjectInfo> chosen = files;
    if (sampleFiles > 0 && files.size() > sampleFiles) {
      // An even spread over the folder, so a change of schema during the day is seen.
      chosen = new ArrayList<>(sampleFiles);
      double step = (double) files.size() / sampleFiles;
      for (int i = 0; i < sampleFiles; i++) {
        chosen.add(files.get((int) (i * step)));
      }
    }
    List<Future<?>> futures = new ArrayList<>();
    int batch = Math.max(1, chosen.size() / (workers * 4) + 1);
    for (int i = 0; i < chosen.size(); i += batch) {
      List<ObjectInfo> slice = chosen.subList(i, Math.min(chosen.size(), i + batch));
      futures.add(pool.submit(() -> {
        for (ObjectInfo o : slice) {
          try {
            sampler.add(store.read(o.key()));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + o.key() + ": " + e.getMessage(), e);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof UncheckedIOException u) {
          throw u;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** Crawls the processed table's Hive-style folders, reading columns from the Parquet footers. */
  public CrawlResult crawlProcessed(ObjectStore store, boolean everything) throws IOException {
    Instant started = Instant.now();
    catalog.ensureTable(new CatalogTable(ProcessedSchema.TABLE,
        store.location().display() + "/" + ProcessedLayout.ROOT, "parquet", List.of("year", "month", "day")));
    Set<String> known = catalog.partitionPaths(ProcessedSchema.TABLE, SOURCE_PROCESSED);
    LocalDate from = everything ? null
        : catalog.latestPartitionDates(ProcessedSchema.TABLE, SOURCE_PROCESSED).values().stream()
            .max(LocalDate::compareTo).orElse(null);
    int listings = 0;
    List<LocalDate> days = new ArrayList<>();
    List<String> years = store.listFolders(ProcessedLayout.ROOT);
    listings++;
    for (String y : years) {
      Optional<Integer> year = ProcessedLayout.partValue(y, "year");
      if (year.isEmpty() || (from != null && year.get() < from.getYear())) {
        continue;
      }
      List<String> months = store.listFolders(ProcessedLayout.ROOT + y + "/");
      listings++;
      for (String m : months) {
        Optional<Integer> month = ProcessedLayout.partValue(m, "month");
        if (month.isEmpty() || (from != null && year.get() == from.getYear() && month.get() < from.getMonthValue())) {
          continue;
        }
        List<String> ds = store.listFolders(ProcessedLayout.ROOT + y + "/" + m + "/");
        listings++;
        for (String d : ds) {
          ProcessedLayout.date(y, m, d).ifPresent(date -> {
            if (everything || !known.contains(hive(date))) {
              days.add(date);
            }
          });
        }
      }
    }
    List<Partition> partitions = new ArrayList<>();
    List<Path> footers = new ArrayList<>();
    List<Path> downloaded = new ArrayList<>();
    long objects = 0;
    long bytes = 0;
    int fresh = 0;
    try {
      for (LocalDate day : days) {
        List<ObjectInfo> files = store.listAll(ProcessedLayout.dayPrefix(day)).stream()
            .filter(o -> ProcessedLayout.isDataFile(o.name()))
            .collect(Collectors.toList());
        listings++;
        long b = files.stream().mapToLong(ObjectInfo::size).sum();
        objects += files.size();
        bytes += b;
        String path = hive(day);
        if (!known.contains(path)) {
          fresh++;
        }
        partitions.add(new Partition(ProcessedSchema.TABLE, SOURCE_PROCESSED, path, null, day, files.size(), b, Instant.now()));
        for (ObjectInfo o : files) {
          Optional<Path> local = store.localPath(o.key());
          if (local.isPresent()) {
            footers.add(local.get());
          } else {
            Path tmp = Files.createTempFile(tempDir == null ? Path.of(System.getProperty("java.io.tmpdir")) : tempDir, "footer", ".parquet");
            Files.write(tmp, store.read(o.key()));
            footers.add(tmp);
            downloaded.add(tmp);
          }
        }
      }
      List<CatalogColumn> observed = new ArrayList<>();
      if (!footers.isEmpty()) {
        for (Map.Entry<String, ColumnType> e : parquetColumns(footers).entrySet()) {
          observed.add(new CatalogColumn(e.getKey(), e.getKey(), e.getValue(), 0));
        }
      } else if (catalog.columns(ProcessedSchema.TABLE).isEmpty()) {
        observed.addAll(Catalog.asCatalogColumns(ProcessedSchema.COLUMNS));
      }
      List<SchemaChange> changes = catalog.mergeColumns(ProcessedSchema.TABLE, observed);
      catalog.upsertPartitions(partitions);
      logChanges(changes);
      return new CrawlResult(ProcessedSchema.TABLE, everything, listings, fresh, partitions.size() - fresh,
          objects, bytes, footers.size(), changes, Duration.between(started, Instant.now()));
    } finally {
      for (Path p : downloaded) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String hive(LocalDate day) {
    return new io.cdrpipeline.model.DayPartition(day).hivePath();
  }

  /** Column name to type, the union over the files' Parquet schemas (partition columns excluded). */
  static Map<String, ColumnType> parquetColumns(List<Path> files) throws IOException {
    Map<String, ColumnType> columns = new LinkedHashMap<>();
    String list = files.stream().map(p -> DuckDb.literal(p.toString())).collect(Collectors.joining(", "));
    try (Connection c = DuckDb.open(null, null, 1); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM read_parquet([" + list
            + "], union_by_name = true, hive_partitioning = false)")) {
      while (rs.next()) {
        columns.put(rs.getString(1), ColumnType.parse(rs.getString(2)));
      }
    } catch (SQLException e) {
      throw new IOException("cannot read Parquet schemas: " + e.getMessage(), e);
    }
    return columns;
  }

  private void logChanges(List<SchemaChange> changes) {
    for (SchemaChange c : changes) {
      LOG.info("schema change: {}", c);
      if (c.kind() == SchemaChange.Kind.WIDENED) {
        progress.accept("type conflict widened: " + c);
      }
    }
  }
}
