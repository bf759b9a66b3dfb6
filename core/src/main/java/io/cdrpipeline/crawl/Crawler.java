package io.cdrpipeline.crawl;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.CdrField;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.StoredObject;
import io.cdrpipeline.store.UnreadableObjectException;
import io.cdrpipeline.table.IcebergTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds day folders and registers them as partitions, inferring each table's columns from the data.
 * By default only folders not seen before are listed: for each voice connector the walk starts at
 * the newest crawled month, so the cost does not grow with history. With {@code everything} every
 * folder is listed and every partition refreshed.
 */
public final class Crawler {
  private static final Logger LOG = LoggerFactory.getLogger(Crawler.class);

  private final Catalog catalog;
  private final int sampleFiles;
  private final int workers;
  private final Path tempDir;
  private final Consumer<String> progress;

  /**
   * @param sampleFiles files read per new raw folder to infer columns (0: all)
   * @param progress receives one line per notable step, for the user
   */
  public Crawler(
      Catalog catalog, int sampleFiles, int workers, Path tempDir, Consumer<String> progress) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.sampleFiles = sampleFiles;
    this.workers = Math.max(1, workers);
    this.tempDir = tempDir;
    this.progress = progress == null ? s -> {} : progress;
  }

  /** Crawls the raw CDR layout of a bucket into {@code amazon_chime_voice_connector_cdrs}. */
  public CrawlResult crawlRaw(ObjectStore store, String source, boolean everything)
      throws IOException {
    Instant started = Instant.now();
    store.checkReadable();
    catalog.ensureTable(
        new CatalogTable(
            ProcessedSchema.RAW_TABLE,
            store.location().display() + "/" + RawLayout.ROOT,
            "json",
            List.of("voice_connector", "year", "month", "day")));
    Set<String> known = catalog.partitionPaths(ProcessedSchema.RAW_TABLE, source);
    Map<String, LocalDate> latest =
        everything ? Map.of() : catalog.latestPartitionDates(ProcessedSchema.RAW_TABLE, source);

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
          if (from != null
              && Integer.parseInt(y) == from.getYear()
              && Integer.parseInt(m) < from.getMonthValue()) {
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
    ExecutorService pool =
        Executors.newFixedThreadPool(
            workers,
            r -> {
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
        partitions.add(
            new Partition(
                ProcessedSchema.RAW_TABLE,
                source,
                f[1],
                f[0],
                LocalDate.parse(f[2]),
                files.size(),
                folderBytes,
                Instant.now()));
        if (!known.contains(f[1])) {
          fresh++;
        }
        sample(store, files, sampler.folder(), sampler, pool);
        if (folders.size() > 1) {
          progress.accept(
              String.format(
                  "crawled %s (%d files) [%d/%d]", f[1], files.size(), n, folders.size()));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    // columns first: a crawl killed in between then finds the folders again next time
    repairRawColumns();
    List<CatalogColumn> observed = new ArrayList<>();
    sampler
        .columns()
        .forEach((col, e) -> observed.add(new CatalogColumn(col, e.getKey(), e.getValue(), 0)));
    List<SchemaChange> changes = catalog.mergeColumns(ProcessedSchema.RAW_TABLE, observed);
    catalog.upsertPartitions(partitions);
    logChanges(changes);
    if (sampler.rejected() > 0) {
      LOG.info(
          "{} sampled files left out of the columns: the ETL quarantines them", sampler.rejected());
    }
    return new CrawlResult(
        ProcessedSchema.RAW_TABLE,
        everything,
        listings[0],
        fresh,
        partitions.size() - fresh,
        objects,
        bytes,
        sampler.sampled(),
        changes,
        Duration.between(started, Instant.now()));
  }

  /**
   * Gives the raw columns an older version registered under names the tables cannot have (quotes,
   * empty, the raw table's own columns) the name the rule gives today, so a catalog from before
   * heals on the next crawl; a known field is read by its documented name.
   */
  private void repairRawColumns() {
    for (CatalogColumn c : catalog.columns(ProcessedSchema.RAW_TABLE)) {
      String source = c.sourceName();
      CdrField known = CdrField.byName(source);
      if (source.indexOf(0) >= 0 || source.length() > InputLimits.MAX_FIELD_NAME_LENGTH) {
        catalog.replaceColumn(
            ProcessedSchema.RAW_TABLE, c.name(), null); // the ETL rejects such records
        progress.accept(
            "removed raw column " + c.name() + ": its field name is not one the ETL accepts");
      } else if (known != null
          && (!c.name().equals(known.column()) || !source.equals(known.jsonName()))) {
        catalog.replaceColumn(
            ProcessedSchema.RAW_TABLE,
            c.name(),
            new CatalogColumn(known.column(), known.jsonName(), c.type(), c.position()));
      } else if (known == null && !ProcessedSchema.isFieldColumnName(c.name())) {
        String name = ProcessedSchema.columnName(source);
        catalog.replaceColumn(
            ProcessedSchema.RAW_TABLE,
            c.name(),
            new CatalogColumn(name, source, c.type(), c.position()));
        progress.accept("renamed raw column \"" + c.name() + "\" to " + name);
        LOG.info("renamed column {} of {} to {}", c.name(), ProcessedSchema.RAW_TABLE, name);
      }
    }
  }

  private void sample(
      ObjectStore store,
      List<ObjectInfo> files,
      JsonSchemaSampler.Folder folder,
      JsonSchemaSampler sampler,
      ExecutorService pool) {
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
      futures.add(
          pool.submit(
              () -> {
                for (ObjectInfo o : slice) {
                  // a file the ETL would not read says nothing about the columns
                  if (o.size() > InputLimits.MAX_FILE_BYTES) {
                    sampler.unreadable();
                    continue;
                  }
                  try {
                    Optional<StoredObject> read =
                        store.readObject(o.key(), InputLimits.MAX_FILE_BYTES);
                    if (read.isPresent()) {
                      folder.add(o.key(), read.get().content());
                    }
                  } catch (UnreadableObjectException e) {
                    sampler.unreadable();
                  } catch (IOException e) {
                    throw new UncheckedIOException(
                        "cannot read " + o.key() + ": " + e.getMessage(), e);
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
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UncheckedIOException u) {
          throw u;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
    folder.finish();
  }

  /**
   * Registers the processed table's partitions: one per committed day, counting the day's committed
   * files (a file deleted by hand is left out and reported), with the columns from their Parquet
   * footers. By default only days that are new or changed since the last crawl are read, whatever
   * their date; {@code everything} reads every day. Partitions of days that are not committed are
   * removed, so the partitions always match the committed days.
   */
  public CrawlResult crawlProcessed(IcebergTable table, boolean everything) throws IOException {
    Instant started = Instant.now();
    catalog.ensureTable(
        new CatalogTable(
            ProcessedSchema.TABLE, table.location(), "iceberg", List.of("year", "month", "day")));
    Map<String, Partition> known = new LinkedHashMap<>();
    catalog
        .partitions(ProcessedSchema.TABLE, ProcessedSchema.SOURCE_PROCESSED)
        .forEach(p -> known.put(p.path(), p));
    List<ProcessedDay> committed = catalog.processedDays();
    Set<String> stale = new HashSet<>(known.keySet());
    List<Partition> partitions = new ArrayList<>();
    long objects = 0;
    long bytes = 0;
    int fresh = 0;
    int checked = 0;
    for (ProcessedDay day : committed) {
      String path = hive(day.day());
      stale.remove(path);
      Partition old = known.get(path);
      long committedBytes = day.files().stream().mapToLong(ProcessedDay.ProcessedFile::bytes).sum();
      if (!everything
          && old != null
          && old.objectCount() == day.files().size()
          && old.bytes() == committedBytes) {
        continue; // registered as it is committed
      }
      long n = 0;
      long b = 0;
      for (ProcessedDay.ProcessedFile f : day.files()) {
        checked++;
        if (!table.io().newInputFile(f.key()).exists()) {
          progress.accept(
              "processed file "
                  + f.key()
                  + " of "
                  + day.day()
                  + " is missing: 'cdr etl --full' processes the day again");
          continue;
        }
        n++;
        b += f.bytes();
      }
      objects += n;
      bytes += b;
      if (old == null) {
        fresh++;
      }
      partitions.add(
          new Partition(
              ProcessedSchema.TABLE,
              ProcessedSchema.SOURCE_PROCESSED,
              path,
              null,
              day.day(),
              n,
              b,
              Instant.now()));
    }
    // the columns are the table's schema: no data file is opened
    List<CatalogColumn> observed = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, ColumnType> e : table.refresh().columns().entrySet()) {
      if (ProcessedSchema.PARTITION_COLUMNS.stream().noneMatch(c -> c.name().equals(e.getKey()))) {
        observed.add(new CatalogColumn(e.getKey(), e.getKey(), e.getValue(), i++));
      }
    }
    List<SchemaChange> changes = catalog.mergeColumns(ProcessedSchema.TABLE, observed);
    catalog.upsertPartitions(partitions);
    catalog.removePartitions(ProcessedSchema.TABLE, ProcessedSchema.SOURCE_PROCESSED, stale);
    logChanges(changes);
    return new CrawlResult(
        ProcessedSchema.TABLE,
        everything,
        0,
        fresh,
        partitions.size() - fresh,
        objects,
        bytes,
        checked,
        changes,
        Duration.between(started, Instant.now()));
  }

  private static String hive(LocalDate day) {
    return new io.cdrpipeline.model.DayPartition(day).hivePath();
  }

  /**
   * Column name to type, the union over the files' Parquet schemas (partition columns excluded).
   */
  static Map<String, ColumnType> parquetColumns(List<Path> files) throws IOException {
    Map<String, ColumnType> columns = new LinkedHashMap<>();
    String list =
        files.stream().map(p -> DuckDb.literal(p.toString())).collect(Collectors.joining(", "));
    try (Connection c = DuckDb.open(null, null, 1);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "DESCRIBE SELECT * FROM read_parquet(["
                    + list
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
