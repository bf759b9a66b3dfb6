package io.cdrpipeline.etl;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.NamedLock;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.table.DayRefusal;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.MaxShrink;
import io.cdrpipeline.table.ProcessedTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
import java.util.stream.Collectors;

/**
 * The ETL job (the Glue job of the original): the daily run of one day and the full run of every
 * crawled day, on any {@link EtlEngine}, each day committed through the shared {@link
 * ProcessedTable}. A crash at any point leaves the previous version of the day as the one every
 * reader sees; the next run of the day settles what the crash left.
 */
public final class EtlJob {
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private final Catalog catalog;
  private final List<RawSource> sources;
  private final ProcessedTable table;
  private final EtlEngine engine;
  private final EtlListener listener;
  private final MaxShrink maxShrink;

  /** The job with the default {@code etl.maxShrink}. */
  public EtlJob(
      Catalog catalog,
      List<RawSource> sources,
      ProcessedTable table,
      EtlEngine engine,
      EtlListener listener) {
    this(catalog, sources, table, engine, listener, MaxShrink.DEFAULT);
  }

  /**
   * @param maxShrink how much smaller a day's raw objects may be than at its last commit ({@code
   *     etl.maxShrink})
   */
  public EtlJob(
      Catalog catalog,
      List<RawSource> sources,
      ProcessedTable table,
      EtlEngine engine,
      EtlListener listener,
      MaxShrink maxShrink) {
    this.catalog = Objects.requireNonNull(catalog, "catalog is null");
    this.maxShrink = Objects.requireNonNull(maxShrink, "maxShrink is null");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("at least one CDR bucket is needed");
    }
    this.sources = List.copyOf(sources);
    this.table = Objects.requireNonNull(table, "table is null");
    this.engine = Objects.requireNonNull(engine, "engine is null");
    this.listener = listener == null ? EtlListener.NONE : listener;
  }

  /**
   * The job on the embedded engine, the default on one machine, with the default {@code
   * etl.maxShrink}.
   */
  public static EtlJob embedded(
      Catalog catalog,
      List<RawSource> sources,
      ProcessedTable table,
      String memoryLimit,
      Path tempDir,
      EtlListener listener) {
    return embedded(catalog, sources, table, memoryLimit, tempDir, listener, MaxShrink.DEFAULT);
  }

  /** The job on the embedded engine, the default on one machine. */
  public static EtlJob embedded(
      Catalog catalog,
      List<RawSource> sources,
      ProcessedTable table,
      String memoryLimit,
      Path tempDir,
      EtlListener listener,
      MaxShrink maxShrink) {
    return new EtlJob(
        catalog,
        sources,
        table,
        new EmbeddedEngine(sources, memoryLimit, tempDir, listener),
        listener,
        maxShrink);
  }

  /**
   * Processes exactly one day (the daily job), refused as {@link #runDay(LocalDate, int, boolean)}
   * says.
   */
  public EtlSummary runDay(LocalDate day, int workers) {
    return runDay(day, workers, false);
  }

  /**
   * Processes exactly one day (the daily job) and replaces it, even when its raw objects are
   * unchanged. Refused ({@link DayRefusedException}, nothing committed, before any file is read)
   * when no raw object of the day is found, or when it has more than {@code etl.maxShrink} fewer
   * than at its last commit and not {@code force}.
   */
  public EtlSummary runDay(LocalDate day, int workers, boolean force) {
    return run("daily", List.of(day), workers, false, force);
  }

  /**
   * Processes the given days in order (a list or range of days); a day whose raw objects are
   * unchanged since it was processed is skipped when {@code skipUnchanged}.
   */
  public EtlSummary runDays(List<LocalDate> days, int workers, boolean skipUnchanged) {
    return runDays(days, workers, skipUnchanged, false);
  }

  /**
   * Processes the given days in order, each refused as by {@link #runDay(LocalDate, int, boolean)}:
   * the other days go on, and the run ends with a {@link DayRefusedException} naming the refused
   * ones.
   */
  public EtlSummary runDays(
      List<LocalDate> days, int workers, boolean skipUnchanged, boolean force) {
    return run(
        days.size() == 1 ? "daily" : "days",
        new ArrayList<>(new TreeSet<>(days)),
        workers,
        skipUnchanged,
        force);
  }

  /**
   * Processes every crawled day (the full job). A day already processed whose raw objects are
   * unchanged (and whose files are all there) is skipped unless {@code force}; a killed run resumes
   * where it stopped. A day with no raw object left (expired by a lifecycle rule, moved away) keeps
   * what it has and is reported, without failing the run; a day that shrank beyond {@code
   * etl.maxShrink} is kept too unless {@code force}, and fails the run once every other day is done
   * ({@link DayRefusedException}).
   */
  public EtlSummary runFull(int workers, boolean force) {
    Set<LocalDate> days = new TreeSet<>();
    for (RawSource s : sources) {
      for (Partition p : catalog.partitions(ProcessedSchema.RAW_TABLE, s.name())) {
        days.add(p.date());
      }
    }
    return run("full", new ArrayList<>(days), workers, !force, force);
  }

  /**
   * Why the rule would refuse replacing the day now (see {@link #runDay(LocalDate, int, boolean)}),
   * from one listing of its raw objects, without taking its lock or reading a file: for a caller
   * that checks before it starts work elsewhere (an application on Spark). The run checks again.
   */
  public Optional<DayRefusal> refusal(LocalDate day, boolean force) throws IOException {
    checkSources();
    return table.refusal(day, listedFingerprint(day).count(), maxShrink, force);
  }

  /**
   * Fails as {@link #runDay(LocalDate, int, boolean)} would for the rule ({@link
   * DayRefusedException} with the same line), from one listing: for a caller that starts work
   * elsewhere (an application on Spark) and should be refused before it does.
   */
  public void checkDay(LocalDate day, boolean force) throws IOException {
    Optional<DayRefusal> r = refusal(day, force);
    if (r.isPresent()) {
      throw new DayRefusedException(
          refusedMessage("daily", List.of(r.get())),
          new EtlSummary(
              "none", List.of(DaySummary.refused(day, r.get().message(where()))), Duration.ZERO));
    }
  }

  /** The buckets read, as messages name them. */
  public String where() {
    return sources.stream()
        .map(s -> s.store().location().display())
        .collect(Collectors.joining(" or "));
  }

  /**
   * True when the day is committed from exactly its raw objects as they are now (the check by which
   * the full run skips a day), whatever committed it: a run of the day, the full run, the Spark
   * job. One listing of the day; nothing is read.
   */
  public boolean upToDate(LocalDate day) throws IOException {
    return table.reasonToProcess(day, listedFingerprint(day).value()).isEmpty();
  }

  /** Registers the processed table in the catalog (where it lives, its format and partitions). */
  public void ensureTable() {
    catalog.ensureTable(
        new CatalogTable(
            ProcessedSchema.TABLE,
            table.iceberg().location(),
            "iceberg",
            List.of("year", "month", "day")));
  }

  /** The readers a run really uses for the requested number. */
  public int effectiveWorkers(int requested) {
    return engine.effectiveWorkers(requested);
  }

  private void checkSources() {
    checkReadable(sources);
  }

  /** Fails with one line ({@link EtlException}) naming the first bucket that cannot be read. */
  public static void checkReadable(List<RawSource> sources) {
    for (RawSource s : sources) {
      try {
        s.store().checkReadable();
      } catch (IOException e) {
        throw new EtlException(
            "cannot read CDR bucket " + s.store().location().display() + ": " + message(e), e);
      }
    }
  }

  private EtlSummary run(
      String mode, List<LocalDate> days, int workers, boolean skipUnchanged, boolean force) {
    String runId =
        RUN_TIME.format(Instant.now()) + "-" + UUID.randomUUID().toString().substring(0, 8);
    Instant started = Instant.now();
    checkSources();
    ensureTable();
    table.settleAll();
    catalog.startRun(runId, mode, started);
    List<DaySummary> done = new ArrayList<>();
    List<DayRefusal> failing = new ArrayList<>();
    try {
      for (LocalDate day : days) {
        List<DayRefusal> refused = new ArrayList<>(1);
        DaySummary s = processDay(day, runId, workers, skipUnchanged, force, refused);
        done.add(s);
        listener.dayFinished(s);
        // the full run meets days whose raw files are gone (a lifecycle rule expired them): each
        // keeps what it has and is reported, but only a shrink fails the run
        refused.stream()
            .filter(r -> !(mode.equals("full") && r.noRawFiles()))
            .forEach(failing::add);
      }
    } catch (RuntimeException e) {
      finish(runId, done, "FAILED", e.getMessage());
      throw e;
    }
    EtlSummary summary = new EtlSummary(runId, done, Duration.between(started, Instant.now()));
    if (!failing.isEmpty()) {
      String why = refusedMessage(mode, failing);
      finish(runId, done, "FAILED", why);
      throw new DayRefusedException(why, summary);
    }
    finish(runId, done, "SUCCEEDED", null);
    return summary;
  }

  private void finish(String runId, List<DaySummary> done, String status, String error) {
    catalog.finishRun(
        runId,
        status,
        (int) done.stream().filter(d -> !d.skipped()).count(),
        (int) done.stream().filter(DaySummary::skipped).count(),
        done.stream().mapToLong(DaySummary::filesRead).sum(),
        done.stream().mapToLong(DaySummary::rowsWritten).sum(),
        done.stream().mapToLong(DaySummary::rejected).sum(),
        done.stream().mapToLong(DaySummary::bytesRead).sum(),
        error);
  }

  /**
   * One line for a run that kept days by the rule: for one day its refusal; for several, each with
   * its counts. Then how to replace them anyway, when a shrink is what stopped them.
   */
  private String refusedMessage(String mode, List<DayRefusal> refused) {
    boolean shrink = refused.stream().anyMatch(r -> !r.noRawFiles());
    String force =
        !shrink
            ? ""
            : mode.equals("full")
                ? "; to replace them anyway: cdr etl --full --force, or \"Force\": true in the full workflow's input"
                : refused.size() == 1
                    ? "; to replace it anyway: cdr etl --date "
                        + refused.get(0).day()
                        + " --force, or \"Force\": true in the daily "
                        + "workflow's input"
                    : "; to replace them anyway: --force";
    if (refused.size() == 1 && !mode.equals("full")) {
      return "ETL of "
          + refused.get(0).day()
          + " refused: "
          + refused.get(0).message(where())
          + force;
    }
    String days =
        refused.stream()
            .map(
                r ->
                    r.day()
                        + " ("
                        + (r.noRawFiles()
                            ? "no raw files"
                            : String.format(
                                "%,d raw files, its last commit had %,d",
                                r.rawObjects(), r.last().orElseThrow().sourceObjects()))
                        + ")")
            .collect(Collectors.joining(", "));
    return "ETL refused "
        + refused.size()
        + (refused.size() == 1 ? " day" : " days")
        + (shrink
            ? " whose raw files shrank by more than etl.maxShrink " + maxShrink
            : " without raw files")
        + ": "
        + days
        + "; nothing of "
        + (refused.size() == 1 ? "it" : "them")
        + " was committed, each keeps its previous data"
        + (mode.equals("daily") ? "" : ", the other days are done")
        + force;
  }

  private DaySummary processDay(
      LocalDate day,
      String runId,
      int workers,
      boolean skipUnchanged,
      boolean force,
      List<DayRefusal> refused) {
    listener.dayStarted(day);
    Instant started = Instant.now();
    try (NamedLock lock = table.lockDay(day, listener::message)) {
      table.settle(day);
      SourceFingerprint listed = listedFingerprint(day);
      if (skipUnchanged) {
        Optional<String> reason = table.reasonToProcess(day, listed.value());
        if (reason.isEmpty()) {
          return new DaySummary(day, true, 0, 0, 0, 0, 0, Duration.ZERO, null);
        }
        if (reason.get().startsWith("processed file")) {
          listener.message(day + ": " + reason.get() + ", processing the day again");
        }
      }
      // before any file is read: a day is never replaced by an empty or a shrunken listing unless
      // forced
      Optional<DayRefusal> refusal = table.refusal(day, listed.count(), maxShrink, force);
      if (refusal.isPresent()) {
        refused.add(refusal.get());
        return DaySummary.refused(day, refusal.get().message(where()));
      }
      try (ProcessedTable.DayWrite write = table.begin(day, runId);
          DayResult r = engine.process(write, workers)) {
        write.commit(r.bookkeeping(Instant.now()), r.files());
        String location = table.iceberg().location();
        String output =
            (location.startsWith("file:")
                    ? io.cdrpipeline.table.StoreFileIO.path(location).toString()
                    : location)
                + "/"
                + IcebergTable.DATA
                + "/year="
                + day.getYear()
                + "/month="
                + day.getMonthValue()
                + "/day="
                + day.getDayOfMonth()
                + "/";
        return new DaySummary(
            day,
            false,
            r.filesRead(),
            r.rows(),
            r.rejected(),
            r.bytesRead(),
            r.bytesWritten(),
            Duration.between(started, Instant.now()),
            output);
      }
    } catch (IOException e) {
      throw new EtlException(
          "ETL of " + day + " failed: " + message(e) + " (the previous data of the day is intact)",
          e);
    } catch (UncheckedIOException e) {
      throw new EtlException(
          "ETL of "
              + day
              + " failed: "
              + message(e.getCause())
              + " (the previous data of the day is intact)",
          e);
    } catch (IcebergTable.NotCommitted e) {
      throw new EtlException(
          "ETL of "
              + day
              + " failed: "
              + message(e)
              + " (the previous data of the day is intact, "
              + "the files this run wrote are removed)",
          e);
    } catch (IcebergTable.DayConflict e) {
      throw new EtlException(
          "ETL of " + day + " failed: " + message(e) + " (the day is as that run left it)", e);
    }
  }

  /** The fingerprint (and count) of what a listing of the day finds in every bucket. */
  private SourceFingerprint listedFingerprint(LocalDate day) throws IOException {
    SourceFingerprint now = new SourceFingerprint();
    for (int i = 0; i < sources.size(); i++) {
      int src = i;
      for (String vc : sources.get(i).store().listFolders(RawLayout.ROOT)) {
        sources.get(i).store().list(RawLayout.dayPrefix(vc, day), o -> now.add(src, o));
      }
    }
    return now;
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
