package io.cdrpipeline.etl;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.NamedLock;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The ETL job (the Glue job of the original): the daily run of one day and the full run of
 * every crawled day, on any {@link EtlEngine}, each day committed through the shared
 * {@link ProcessedTable}. A crash at any point leaves the previous version of the day as the
 * one every reader sees; the next run of the day settles what the crash left.
 */
public final class EtlJob {
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private final Catalog catalog;
  private final List<RawSource> sources;
  private final ProcessedTable table;
  private final EtlEngine engine;
  private final EtlListener listener;

  public EtlJob(Catalog catalog, List<RawSource> sources, ProcessedTable table, EtlEngine engine, EtlListener listener) {
    this.catalog = Objects.requireNonNull(catalog, "catalog is null");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("at least one CDR bucket is needed");
    }
    this.sources = List.copyOf(sources);
    this.table = Objects.requireNonNull(table, "table is null");
    this.engine = Objects.requireNonNull(engine, "engine is null");
    this.listener = listener == null ? EtlListener.NONE : listener;
  }

  /** The job on the embedded engine, the default on one machine. */
  public static EtlJob embedded(Catalog catalog, List<RawSource> sources, ProcessedTable table, String memoryLimit,
      java.nio.file.Path tempDir, EtlListener listener) {
    return new EtlJob(catalog, sources, table, new EmbeddedEngine(sources, memoryLimit, tempDir, listener), listener);
  }

  /** Processes exactly one day (the daily job); always rewrites it. */
  public EtlSummary runDay(LocalDate day, int workers) {
    return run("daily", List.of(day), workers, false);
  }

  /**
   * Processes the given days in order (a list or range of days); a day whose raw objects are
   * unchanged since it was processed is skipped when {@code skipUnchanged}.
   */
  public EtlSummary runDays(List<LocalDate> days, int workers, boolean skipUnchanged) {
    return run(days.size() == 1 ? "daily" : "days", new ArrayList<>(new TreeSet<>(days)), workers, skipUnchanged);
  }

  /**
   * Processes every crawled day (the full job). A day already processed whose raw objects are
   * unchanged (and whose files are all there) is skipped unless {@code force}; a killed run
   * resumes where it stopped.
   */
  public EtlSummary runFull(int workers, boolean force) {
    Set<LocalDate> days = new TreeSet<>();
    for (RawSource s : sources) {
      for (Partition p : catalog.partitions(ProcessedSchema.RAW_TABLE, s.name())) {
        days.add(p.date());
      }
    }
    return run("full", new ArrayList<>(days), workers, !force);
  }

  /** Registers the processed table in the catalog (where it lives, its format and partitions). */
  public void ensureTable() {
    catalog.ensureTable(new CatalogTable(ProcessedSchema.TABLE, table.iceberg().location(), "iceberg",
        List.of("year", "month", "day")));
  }

  /** The readers a run really uses for the requested number. */
  public int effectiveWorkers(int requested) {
    return engine.effectiveWorkers(requested);
  }

  private EtlSummary run(String mode, List<LocalDate> days, int workers, boolean skipUnchanged) {
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
    table.settleAll();
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
    Instant started = Instant.now();
    try (NamedLock lock = table.lockDay(day, listener::message)) {
      table.settle(day);
      if (skipUnchanged) {
        Optional<String> reason = table.reasonToProcess(day, listedFingerprint(day));
        if (reason.isEmpty()) {
          return new DaySummary(day, true, 0, 0, 0, 0, 0, Duration.ZERO, null);
        }
        if (reason.get().startsWith("processed file")) {
          listener.message(day + ": " + reason.get() + ", processing the day again");
        }
      }
      try (ProcessedTable.DayWrite write = table.begin(day, runId); DayResult r = engine.process(write, workers)) {
        write.commit(r.bookkeeping(Instant.now()), r.files());
        String location = table.iceberg().location();
        String output = (location.startsWith("file:") ? io.cdrpipeline.table.StoreFileIO.path(location).toString() : location)
            + "/" + IcebergTable.DATA + "/year=" + day.getYear() + "/month=" + day.getMonthValue() + "/day="
            + day.getDayOfMonth() + "/";
        return new DaySummary(day, false, r.filesRead(), r.rows(), r.rejected(), r.bytesRead(), r.bytesWritten(),
            Duration.between(started, Instant.now()), output);
      }
    } catch (IOException e) {
      throw new EtlException("ETL of " + day + " failed: " + message(e) + " (the previous data of the day is intact)", e);
    } catch (UncheckedIOException e) {
      throw new EtlException("ETL of " + day + " failed: " + message(e.getCause()) + " (the previous data of the day is intact)", e);
    } catch (IcebergTable.NotCommitted e) {
      throw new EtlException("ETL of " + day + " failed: " + message(e) + " (the previous data of the day is intact, "
          + "the files this run wrote are removed)", e);
    } catch (IcebergTable.DayConflict e) {
      throw new EtlException("ETL of " + day + " failed: " + message(e) + " (the day is as that run left it)", e);
    }
  }

  /** The fingerprint of what a listing of the day finds in every bucket. */
  private String listedFingerprint(LocalDate day) throws IOException {
    SourceFingerprint now = new SourceFingerprint();
    for (int i = 0; i < sources.size(); i++) {
      int src = i;
      for (String vc : sources.get(i).store().listFolders(RawLayout.ROOT)) {
        sources.get(i).store().list(RawLayout.dayPrefix(vc, day), o -> now.add(src, o));
      }
    }
    return now.value();
  }

  static String message(Throwable e) {
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
}
