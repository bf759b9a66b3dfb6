package io.cdrpipeline.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.etl.DayResult;
import io.cdrpipeline.etl.EtlEngine;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.model.RowRules;
import io.cdrpipeline.table.DayTarget;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.TableSchema;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The ETL engine on Apache Spark: the driver lists the day's objects of every bucket (one folder
 * per voice connector, as the embedded engine does), tasks read them in batches of hundreds or
 * thousands with the product's store and reader, the driver gathers the rejections, counts and
 * fingerprint, and the day's rows, placed, de-duplicated and sorted by the {@link RowRules}, are
 * written by the tasks as the day's Parquet data files. It commits nothing: the caller does, from
 * the driver.
 */
public final class SparkEngine implements EtlEngine {
  private static final Logger LOG = LoggerFactory.getLogger(SparkEngine.class);

  /** The fewest files a read task gets: a task per file is what makes Spark slow on small files. */
  static final int MIN_BATCH = 256;

  /** The most files a read task gets, so a task's rows stay a few hundred megabytes at most. */
  static final int MAX_BATCH = 20_000;

  /** The rows of one data file, about 500 MB of Parquet. */
  static final long ROWS_PER_FILE = 5_000_000;

  /**
   * The most rows of a day that one task sorts and writes in memory (about 1 GB of heap); a larger
   * day goes through Spark SQL, which spills.
   */
  static final long DIRECT_ROWS = 1_000_000;

  private final long directRows;

  private final SparkSession spark;
  private final List<SourceSpec> sources;
  private final StoreSpec warehouse;
  private final EtlListener listener;

  public SparkEngine(
      SparkSession spark, List<SourceSpec> sources, StoreSpec warehouse, EtlListener listener) {
    this(spark, sources, warehouse, listener, DIRECT_ROWS);
  }

  /** An engine that writes days of more than {@code directRows} rows through Spark SQL. */
  SparkEngine(
      SparkSession spark,
      List<SourceSpec> sources,
      StoreSpec warehouse,
      EtlListener listener,
      long directRows) {
    this.directRows = directRows;
    this.spark = Objects.requireNonNull(spark, "spark is null");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("at least one CDR bucket is needed");
    }
    this.sources = List.copyOf(sources);
    this.warehouse = Objects.requireNonNull(warehouse, "warehouse is null");
    this.listener = listener == null ? EtlListener.NONE : listener;
  }

  /** The read tasks a day is split into when {@code requested} are asked for (at least one). */
  @Override
  public int effectiveWorkers(int requested) {
    return Math.max(1, requested);
  }

  @Override
  public DayResult process(DayTarget target, int workers) throws IOException {
    try {
      return run(target, workers);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // a failed Spark job (SparkException, checked, though no Java signature says so)
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
      throw new IOException("a Spark task failed: " + why, e);
    }
  }

  private DayResult run(DayTarget target, int workers) throws Exception {
    LocalDate day = target.day();
    long t0 = System.nanoTime();
    List<ReadTask.Batch> batches = list(day, effectiveWorkers(workers));
    long listed = batches.stream().mapToLong(b -> b.keys().size()).sum();
    LOG.info(
        "{}: listed {} objects in {} ms, {} read tasks",
        day,
        listed,
        (System.nanoTime() - t0) / 1_000_000,
        batches.size());
    listener.progress(day, 0, listed, true);
    ReadSummary summary = new ReadSummary();
    List<String[]> rejections = new ArrayList<>();
    List<IcebergTable.NewFile> files = new ArrayList<>();
    if (!batches.isEmpty()) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      jsc.setJobGroup("cdr-etl-" + day, "CDR ETL of " + day, true);
      // kept as the tasks made them (no columnar cache to build): read once, used by the passes
      // below. Each task's rows are kept as one array: Spark estimates the size of what it keeps
      // by walking a sample of it each time the kept values grow by a tenth, which, row by row,
      // cost the read tasks a third of their time.
      JavaRDD<Row[]> readTasks =
          jsc.parallelize(batches, batches.size())
              .mapPartitions(new ReadTask(sources))
              .mapPartitions(SparkEngine::asOneArray)
              .persist(StorageLevel.MEMORY_AND_DISK());
      JavaRDD<Row> readRows = readTasks.flatMap(a -> Arrays.asList(a).iterator());
      try {
        for (Row r : readRows.filter(r -> r.getInt(DayRows.KIND) != DayRows.ROW).collect()) {
          if (r.getInt(DayRows.KIND) == DayRows.REJECTED) {
            rejections.add(
                new String[] {r.getString(DayRows.SOURCE_KEY), r.getString(DayRows.REASON)});
          } else {
            summary.merge(ReadSummary.fromBytes((byte[]) r.get(DayRows.SUMMARY_BYTES)));
          }
        }
        summary.vanished.forEach(
            k -> listener.message("file vanished while processing, skipped: " + k));
        LOG.info(
            "{}: read {} files in {} ms", day, summary.files, (System.nanoTime() - t0) / 1_000_000);
        logReadTasks(day, summary, readTasks.id());
        listener.progress(day, summary.files, summary.files, true);
        Failpoints.hit("etl.after-read");
        if (summary.rows > 0) {
          files = write(target, readTasks, readRows, summary, rejections);
        }
      } finally {
        readTasks.unpersist(false);
      }
    }
    long rows = files.stream().mapToLong(IcebergTable.NewFile::rows).sum();
    long bytesWritten = files.stream().mapToLong(IcebergTable.NewFile::bytes).sum();
    LOG.info(
        "{}: wrote {} rows in {} files ({} bytes) at {} ms",
        day,
        rows,
        files.size(),
        bytesWritten,
        (System.nanoTime() - t0) / 1_000_000);
    List<String[]> quarantine = List.copyOf(rejections);
    return new DayResult(
        day,
        target.runId(),
        files,
        summary.files,
        rows,
        rejections.size(),
        summary.bytes,
        bytesWritten,
        summary.seen,
        sink -> quarantine.forEach(q -> sink.accept(q[0], q[1])),
        () -> {});
  }

  /**
   * What the read tasks took, for sizing a cluster: their number, files, time and the memory their
   * kept rows take (one line, {@value #READ_TASKS} ...).
   */
  private void logReadTasks(LocalDate day, ReadSummary summary, int rdd) {
    long memory = 0;
    long disk = 0;
    for (RDDInfo info : spark.sparkContext().getRDDStorageInfo()) {
      if (info.id() == rdd) {
        memory = info.memSize();
        disk = info.diskSize();
      }
    }
    LOG.info(
        "{}: {} {} tasks, {} files, {} task-seconds in all, {} s the longest task;"
            + " kept rows {} bytes in memory, {} bytes on disk",
        day,
        READ_TASKS,
        summary.tasks,
        summary.files,
        String.format(Locale.ROOT, "%.3f", summary.taskNanos / 1e9),
        String.format(Locale.ROOT, "%.3f", summary.longestTaskNanos / 1e9),
        memory,
        disk);
  }

  /** The words that start the log line of what the read tasks took. */
  static final String READ_TASKS = "read tasks:";

  /** A task's rows as one value. */
  private static Iterator<Row[]> asOneArray(Iterator<Row> rows) {
    List<Row> all = new ArrayList<>();
    rows.forEachRemaining(all::add);
    return List.<Row[]>of(all.toArray(new Row[0])).iterator();
  }

  /** The day's keys of every bucket and voice connector, in batches for the read tasks. */
  private List<ReadTask.Batch> list(LocalDate day, int tasks) throws IOException {
    List<List<String>> keys = new ArrayList<>();
    long total = 0;
    for (SourceSpec s : sources) {
      RawSource src = s.open();
      List<String> all = new ArrayList<>();
      for (String vc : src.store().listFolders(RawLayout.ROOT)) {
        src.store().listKeys(RawLayout.dayPrefix(vc, day), all::add);
      }
      keys.add(all);
      total += all.size();
    }
    int size = (int) Math.min(MAX_BATCH, Math.max(MIN_BATCH, (total + tasks - 1) / tasks));
    List<ReadTask.Batch> batches = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      List<String> all = keys.get(i);
      for (int from = 0; from < all.size(); from += size) {
        batches.add(
            new ReadTask.Batch(
                i, new ArrayList<>(all.subList(from, Math.min(all.size(), from + size)))));
      }
    }
    return batches;
  }

  /** Places, types, de-duplicates, sorts and writes the day's rows; returns the files written. */
  private List<IcebergTable.NewFile> write(
      DayTarget target,
      JavaRDD<Row[]> readTasks,
      JavaRDD<Row> readRows,
      ReadSummary summary,
      List<String[]> rejections) {
    LocalDate day = target.day();
    Map<String, ColumnType> extraTypes = new LinkedHashMap<>(summary.extraTypes);
    Set<String> dropped = limitUnknownFields(readRows, summary, extraTypes, rejections);

    // where each unknown field goes, given the table's columns (the embedded engine's placement)
    Map<String, ColumnType> table = target.columns();
    LinkedHashMap<String, RowRules.ExtraPlacement> extras = new LinkedHashMap<>();
    for (String name : new TreeSet<>(extraTypes.keySet())) {
      extras.put(
          name,
          RowRules.placeExtra(name, extraTypes.get(name), Optional.ofNullable(table.get(name))));
    }
    List<Column> added = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<ColumnType> types = new ArrayList<>();
    ProcessedSchema.COLUMNS.forEach(
        c -> {
          names.add(c.name());
          types.add(c.type());
        });
    for (RowRules.ExtraPlacement p : extras.values()) {
      added.add(new Column(p.column(), p.type()));
      names.add(p.column());
      types.add(p.type());
      p.textColumn()
          .ifPresent(
              t -> {
                added.add(new Column(t, ColumnType.VARCHAR));
                names.add(t);
                types.add(ColumnType.VARCHAR);
              });
    }
    Map<String, Integer> ids = target.addColumns(added);

    List<StructField> fields = new ArrayList<>();
    List<Types.NestedField> iceberg = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      fields.add(DataTypes.createStructField(names.get(i), DayRows.staged(types.get(i)), true));
      iceberg.add(
          Types.NestedField.optional(
              id(ids, names.get(i)), names.get(i), TableSchema.type(types.get(i))));
    }
    for (Column c : ProcessedSchema.PARTITION_COLUMNS) {
      iceberg.add(
          Types.NestedField.optional(id(ids, c.name()), c.name(), TableSchema.type(c.type())));
    }
    fields.add(DataTypes.createStructField("_source", DataTypes.IntegerType, false));

    TypeRows typing = new TypeRows(extras, dropped);
    int n = (int) Math.max(1, (summary.rows + ROWS_PER_FILE - 1) / ROWS_PER_FILE);
    List<String> locations = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      locations.add(target.newDataFile(i));
    }
    WriteFiles writer =
        new WriteFiles(day, new Schema(iceberg), names, types, locations, warehouse);
    List<WriteFiles.Written> written;
    if (n == 1 && summary.rows <= directRows) {
      // one task gathers the kept rows, sorts and writes them
      written =
          readTasks
              .coalesce(1, false)
              .mapPartitions(new WriteDay(typing, sources.size() > 1, writer))
              .collect();
    } else {
      written = writeThroughSql(readRows, typing, fields, n, writer);
    }
    List<IcebergTable.NewFile> files = new ArrayList<>();
    written.stream()
        .sorted(Comparator.comparing(WriteFiles.Written::location))
        .forEach(w -> files.add(new IcebergTable.NewFile(w.location(), w.bytes(), w.rows())));
    return files;
  }

  /**
   * Days too large for one task's memory: Spark SQL de-duplicates, spreads the rows over the files
   * by ranges of the sort order and sorts each file's rows, spilling to disk as it needs.
   */
  private List<WriteFiles.Written> writeThroughSql(
      JavaRDD<Row> readRows, TypeRows typing, List<StructField> fields, int n, WriteFiles writer) {
    Dataset<Row> rows =
        spark.createDataFrame(readRows.mapPartitions(typing), DataTypes.createStructType(fields));
    if (sources.size() > 1) {
      // a call found in several buckets is written once: the first bucket's copy, then the lowest
      // key
      List<org.apache.spark.sql.Column> identity = new ArrayList<>();
      for (List<String> part : RowRules.CALL_IDENTITY) {
        identity.add(
            part.size() == 1
                ? col(part.get(0))
                : coalesce(
                    part.stream()
                        .map(org.apache.spark.sql.functions::col)
                        .toArray(org.apache.spark.sql.Column[]::new)));
      }
      rows =
          rows.withColumn(
                  "_n",
                  row_number()
                      .over(
                          Window.partitionBy(identity.toArray(org.apache.spark.sql.Column[]::new))
                              .orderBy(col("_source"), col("source_key"))))
              .filter(col("_n").equalTo(1))
              .drop("_n");
    }
    org.apache.spark.sql.Column[] order =
        RowRules.SORT_ORDER.stream()
            .map(
                k ->
                    k.nullsLast()
                        ? col(k.column()).asc_nulls_last()
                        : col(k.column()).asc_nulls_first())
            .toArray(org.apache.spark.sql.Column[]::new);
    // one file needs no range bounds (their sampling is a pass over the day of its own)
    Dataset<Row> spread =
        n == 1
            ? rows.drop("_source").repartition(1)
            : rows.drop("_source").repartitionByRange(n, order);
    Dataset<Row> sorted = spread.sortWithinPartitions(order);
    return sorted.javaRDD().mapPartitionsWithIndex(writer, false).collect();
  }

  private static int id(Map<String, Integer> ids, String name) {
    Integer id = ids.get(name);
    if (id == null) {
      throw new IllegalStateException("the table has no column " + name);
    }
    return id;
  }

  /**
   * Keeps the day to {@link InputLimits#MAX_UNKNOWN_FIELDS} unknown fields, the most common ones
   * (then by name), as the embedded engine does: the files that bring any other are quarantined,
   * and the day's fields are those of the rows that stay. Returns the fields left out.
   */
  private Set<String> limitUnknownFields(
      JavaRDD<Row> readRows,
      ReadSummary summary,
      Map<String, ColumnType> extraTypes,
      List<String[]> rejections) {
    if (extraTypes.size() <= InputLimits.MAX_UNKNOWN_FIELDS) {
      return Set.of();
    }
    List<String> ranked = new ArrayList<>(summary.extraRows.keySet());
    ranked.sort(
        Comparator.comparing((String k) -> -summary.extraRows.get(k))
            .thenComparing(Comparator.naturalOrder()));
    Set<String> dropped =
        new HashSet<>(ranked.subList(InputLimits.MAX_UNKNOWN_FIELDS, ranked.size()));
    List<Tuple2<String, String>> found =
        readRows
            .filter(r -> r.getInt(DayRows.KIND) == DayRows.ROW && !r.isNullAt(DayRows.EXTRAS))
            .mapPartitions(
                it -> {
                  List<Tuple2<String, String>> out = new ArrayList<>();
                  Set<String> kept = new HashSet<>();
                  while (it.hasNext()) {
                    Row r = it.next();
                    String first = TypeRows.firstDropped(r.getString(DayRows.EXTRAS), dropped);
                    if (first != null) {
                      out.add(new Tuple2<>(r.getString(DayRows.SOURCE_KEY), first));
                    } else {
                      kept.addAll(TypeRows.parse(r.getString(DayRows.EXTRAS)).keySet());
                    }
                  }
                  kept.forEach(k -> out.add(new Tuple2<>(null, k)));
                  return out.iterator();
                })
            .collect();
    Set<String> remaining = new HashSet<>();
    int quarantined = 0;
    for (Tuple2<String, String> f : found) {
      if (f._1() == null) {
        remaining.add(f._2());
      } else {
        quarantined++;
        rejections.add(
            new String[] {
              f._1(),
              "unknown field "
                  + f._2()
                  + " is beyond the "
                  + InputLimits.MAX_UNKNOWN_FIELDS
                  + " unknown fields a day may add (the most common are kept)"
            });
      }
    }
    extraTypes.keySet().retainAll(remaining);
    LOG.info(
        "{} unknown fields beyond the limit of {}; {} files with them quarantined",
        dropped.size(),
        InputLimits.MAX_UNKNOWN_FIELDS,
        quarantined);
    return dropped;
  }
}
