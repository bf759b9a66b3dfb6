package io.cdrpipeline.etl;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.RowRules;
import io.cdrpipeline.table.DayTarget;
import io.cdrpipeline.table.IcebergTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ETL engine (the Glue job's Spark work, on this machine): turns one day of raw CDR
 * files into one Parquet data file of the processed table.
 *
 * <p>It lists only that day's folders (one per voice connector and bucket), reads and normalizes
 * the files on a pool of workers, each appending rows to its own staging file, then has DuckDB
 * apply the {@link RowRules} (duplicate calls across buckets, types of unknown fields, sort order)
 * and write the rows as Parquet carrying the table's field ids, and puts the file at its place in
 * the table. It commits nothing: the caller does. The reading is {@link DayReading}'s, the writing
 * {@link DayParquet}'s, the progress {@link ProgressTicker}'s.
 */
public final class EmbeddedEngine implements EtlEngine {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEngine.class);

  private final List<RawSource> sources;
  private final String memoryLimit;
  private final Path tempDir;
  private final EtlListener listener;
  private final RawFileReader reader = new RawFileReader();

  public EmbeddedEngine(
      List<RawSource> sources, String memoryLimit, Path tempDir, EtlListener listener) {
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
    return process(target, workers, null);
  }

  /**
   * As {@link #process(DayTarget, int)}, but reads exactly the given raw keys of the day (by index
   * of the source in this engine's list) instead of listing the day: the same normalizing, rules,
   * quarantine and Parquet as a day's run, for the objects a watch batch found new.
   */
  public DayResult processKeys(DayTarget target, int workers, Map<Integer, List<String>> keys)
      throws IOException {
    return process(target, workers, Objects.requireNonNull(keys, "keys is null"));
  }

  private DayResult process(DayTarget target, int workers, Map<Integer, List<String>> keys)
      throws IOException {
    try {
      return new DayRun(target, workers, keys).execute();
    } catch (SQLException e) {
      throw new IOException("DuckDB: " + e.getMessage(), e);
    }
  }

  /**
   * The work on one day: read it ({@link DayReading}), write it ({@link DayParquet}), place the
   * file.
   */
  private final class DayRun {
    private final DayTarget target;
    private final LocalDate day;
    private final String runId;
    private final DayReading reading;
    private final DayParquet parquet;

    DayRun(DayTarget target, int workers, Map<Integer, List<String>> keys) {
      this.target = target;
      this.day = target.day();
      this.runId = target.runId();
      this.reading =
          new DayReading(sources, reader, listener, day, effectiveWorkers(workers), keys);
      this.parquet = new DayParquet(target, sources.size(), reading);
    }

    DayResult execute() throws IOException, SQLException {
      long t0 = System.nanoTime();
      Path work = tempDir.resolve("etl-" + runId + "-" + day);
      removeLeftovers(work);
      Files.createDirectories(work);
      ProgressTicker ticker =
          new ProgressTicker(
              () ->
                  listener.progress(
                      day, reading.filesDone(), reading.listed(), reading.listingDone()));
      // DuckDB loads its native library while the files are read, not after
      CompletableFuture<Connection> duckOpening =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return DuckDb.open(memoryLimit, work.resolve("duckdb"), 0);
                } catch (SQLException e) {
                  throw new CompletionException(e);
                }
              });
      boolean handedOver = false;
      try {
        reading.read(work);
        LOG.info(
            "{}: read {} files in {} ms",
            day,
            reading.filesDone(),
            (System.nanoTime() - t0) / 1_000_000);
        listener.progress(day, reading.filesDone(), reading.filesDone(), true);
        Failpoints.hit("etl.after-read");
        List<IcebergTable.NewFile> files = new ArrayList<>();
        long rows = 0;
        long bytesWritten = 0;
        if (reading.rowsRead() > 0) {
          Path file = work.resolve("part.parquet");
          try (Connection duck = opened(duckOpening);
              Statement s = duck.createStatement()) {
            rows = parquet.write(s, work, file);
          }
          if (rows > 0) {
            bytesWritten = Files.size(file);
            LOG.info(
                "{}: wrote {} rows to Parquet ({} bytes) at {} ms",
                day,
                rows,
                bytesWritten,
                (System.nanoTime() - t0) / 1_000_000);
            String location = target.newDataFile(0);
            target.upload(file, location);
            files.add(new IcebergTable.NewFile(location, bytesWritten, rows));
          }
        }
        DayResult result =
            new DayResult(
                day,
                runId,
                files,
                reading.filesDone(),
                rows,
                reading.rejected(),
                reading.bytesRead(),
                bytesWritten,
                reading.fingerprint(),
                this::rejections,
                () -> deleteTree(work));
        handedOver = true;
        return result;
      } finally {
        ticker.close();
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

    private Connection opened(CompletableFuture<Connection> opening) throws SQLException {
      try {
        return opening.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof SQLException sql) {
          throw sql;
        }
        throw e;
      }
    }

    /**
     * Deletes the staging folders of earlier runs of this day that were killed: this run holds the
     * day's lock, so no live run uses them.
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

    /** Streams the staged rejections: source key and reason of each. */
    private void rejections(BiConsumer<String, String> sink) throws IOException {
      CsvMapper mapper = new CsvMapper();
      List<Path> files = new ArrayList<>();
      reading.staged().forEach(f -> files.add(f.rejectsFile()));
      parquet.fieldRejects().ifPresent(files::add);
      for (Path f : files) {
        if (!Files.exists(f) || Files.size(f) == 0) {
          continue;
        }
        try (MappingIterator<String[]> it =
            mapper
                .readerFor(String[].class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .readValues(f.toFile())) {
          while (it.hasNext()) {
            String[] r = it.next();
            sink.accept(r[0], r.length > 1 ? r[1] : "");
          }
        }
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
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
   * The readers a run really uses: for a local folder the requested number but no more than the
   * cores (more threads only slow it down), for S3 its requests in flight.
   */
  @Override
  public int effectiveWorkers(int requested) {
    return Math.max(
        1, sources.stream().mapToInt(s -> s.store().readers(requested)).max().orElse(requested));
  }
}
