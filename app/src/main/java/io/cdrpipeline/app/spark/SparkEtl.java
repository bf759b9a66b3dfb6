package io.cdrpipeline.app.spark;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.config.SparkService;
import io.cdrpipeline.config.SparkSettings;
import io.cdrpipeline.etl.DaySummary;
import io.cdrpipeline.etl.EtlException;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.workflow.StepContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ETL as an application on Apache Spark (the original's run / wait / check loop): submits it,
 * or finds again the one a process before this one submitted, follows its state until it ends, and
 * reads its run from the job's result line or, when there is none (cluster mode), from the catalog
 * the job committed to. With {@code spark.submit: glue} or {@code emr} the run is a Glue job run or
 * an EMR step ({@link ServiceEtl}).
 */
public final class SparkEtl {
  private static final Logger LOG = LoggerFactory.getLogger(SparkEtl.class);

  /** How long a stopped application is given to end by itself before it is killed. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** Catalog times come from the driver's host, whose clock may be a little off this one's. */
  private static final Duration CLOCK_SLACK = Duration.ofMinutes(1);

  /** Hears what the application does. */
  interface Progress {
    /** Its state now (SparkLauncher's), and how long it has run. */
    void state(SparkSubmission.Record submission, String state, Duration elapsed);

    /** Something the user should know (found again, submitted again). */
    void message(String text);

    Progress NONE =
        new Progress() {
          @Override
          public void state(SparkSubmission.Record submission, String state, Duration elapsed) {}

          @Override
          public void message(String text) {}
        };
  }

  /** A checkpoint that keeps nothing: a command's own run is not resumed by another process. */
  public static final StepContext.Checkpoint NO_CHECKPOINT =
      new StepContext.Checkpoint() {
        @Override
        public Optional<com.fasterxml.jackson.databind.node.ObjectNode> last() {
          return Optional.empty();
        }

        @Override
        public boolean save(com.fasterxml.jackson.databind.node.ObjectNode value, String detail) {
          return true;
        }

        @Override
        public boolean handingOver() {
          return false;
        }
      };

  private final SparkJob job;
  private final Catalog catalog;
  private final Optional<ServiceEtl> service;

  public SparkEtl(SparkJob job, Catalog catalog) {
    this(job, catalog, S3Settings.defaults());
  }

  /**
   * @param s3 how the product reaches S3: {@code spark.staging} of a run on Glue or EMR is written
   *     with it
   */
  public SparkEtl(SparkJob job, Catalog catalog, S3Settings s3) {
    this.job = Objects.requireNonNull(job, "job is null");
    this.catalog = Objects.requireNonNull(catalog, "catalog is null");
    Objects.requireNonNull(s3, "s3 is null");
    SparkSettings settings = job.settings();
    this.service =
        settings
            .service()
            .map(
                svc ->
                    new ServiceEtl(
                        this,
                        svc,
                        job.configFile(),
                        s3,
                        () ->
                            svc instanceof SparkService.Glue g
                                ? new GlueJobs(g, settings, s3)
                                : new EmrSteps((SparkService.Emr) svc, settings, s3)));
  }

  SparkJob job() {
    return job;
  }

  /**
   * Runs {@code r} to its end and returns its run; an EtlException with one line when the
   * application failed. The submission is kept in {@code checkpoint}: a run that finds one there
   * waits for that application if it still runs, takes its run if it ended well, and submits again
   * otherwise (the day's lock and unchanged-day skip make a day land once). Interrupted, it stops
   * the application, unless the execution is being handed over.
   */
  public EtlSummary run(SparkJob.Request r, StepContext.Checkpoint checkpoint, Progress progress)
      throws Exception {
    if (service.isPresent()) {
      return service.get().run(r, checkpoint, progress);
    }
    Optional<SparkSubmission.Record> before =
        checkpoint.last().flatMap(SparkSubmission.Record::fromJson);
    if (before.isPresent()) {
      SparkSubmission.Record b = before.get();
      Optional<SparkSubmission> still = stillRunning(b);
      if (still.isPresent()) {
        progress.message(
            "Spark application "
                + b.name()
                + " (submitted "
                + b.submittedAt()
                + ") still runs: waiting for it");
        checkpoint.save(
            b.toJson(),
            "found Spark application "
                + b.name()
                + " still running ("
                + b.driverId().map(d -> "its driver on the cluster").orElse("pid " + b.pid())
                + "): waiting for it");
        Optional<EtlSummary> done = follow(still.get(), r, checkpoint, progress);
        if (done.isPresent()) {
          return done.get();
        }
        progress.message(
            "Spark application "
                + b.name()
                + " ended without a result: submitting "
                + r.what()
                + " again");
      } else {
        Optional<EtlSummary> done = ended(b, r);
        if (done.isPresent()) {
          progress.message("Spark application " + b.name() + " had ended well: its run is taken");
          return done.get();
        }
        progress.message(
            "Spark application "
                + b.name()
                + " is no longer running"
                + (b.host().equals(SparkJob.host()) ? "" : " here (it ran from " + b.host() + ")")
                + ": submitting "
                + r.what()
                + " again");
      }
    }
    SparkSubmission s = job.submit(r);
    SparkSubmission.Record rec = s.record();
    if (!checkpoint.save(
        rec.toJson(),
        "submitted Spark application "
            + rec.tag()
            + " ("
            + job.settings().master()
            + ", pid "
            + rec.pid()
            + ", driver log "
            + rec.err()
            + ")")) {
      // this process lost the execution (frozen past its lease): the process that took it over runs
      // the step itself and never hears of this application, so it must not go on
      s.stop(STOP_GRACE);
      throw new InterruptedException("the execution is owned by another process now");
    }
    return follow(s, r, checkpoint, progress).orElseThrow(() -> failure(s));
  }

  /**
   * The application a checkpoint names, if it still runs: a standalone cluster's driver, as its
   * master reports it (from any host); else the driver's process, on the host that submitted it.
   */
  private static Optional<SparkSubmission> stillRunning(SparkSubmission.Record b) {
    if (b.driverId().isPresent() && !b.masterRest().isEmpty()) {
      StandaloneDriver d = StandaloneDriver.find(b);
      return d.ended() ? Optional.empty() : Optional.of(d);
    }
    return SparkSubmission.Reattached.find(b).map(SparkSubmission.class::cast);
  }

  /**
   * Waits for the application's end, telling each state; its run if it ended well. For one found
   * again, whose exit code is not known here, an end without a run is empty (submit again).
   */
  private Optional<EtlSummary> follow(
      SparkSubmission s, SparkJob.Request r, StepContext.Checkpoint checkpoint, Progress progress)
      throws InterruptedException {
    Instant started = s.record().submittedAt();
    String told = null;
    String savedIds = ids(s.record());
    try {
      while (!s.awaitEnd(Duration.ofMillis(500))) {
        SparkSubmission.Record rec = s.record();
        String state = s.state();
        progress.state(rec, state, Duration.between(started, Instant.now()));
        if (!ids(rec).equals(savedIds)) {
          savedIds = ids(rec);
          checkpoint.save(rec.toJson(), "Spark application " + rec.name() + " " + state);
        }
        if (!state.equals(told)) {
          told = state;
          LOG.info("Spark application {} of {}: {}", rec.name(), r.what(), state);
        }
      }
    } catch (InterruptedException e) {
      if (checkpoint.handingOver()) {
        LOG.info("leaving Spark application {} running for the next process", s.record().name());
      } else {
        LOG.info("stopping Spark application {}", s.record().name());
        s.stop(STOP_GRACE);
      }
      throw e;
    }
    progress.state(s.record(), s.state(), Duration.between(started, Instant.now()));
    Optional<org.apache.spark.launcher.SparkAppHandle.State> exit = s.finalState();
    if (exit.isPresent()) {
      switch (exit.get()) {
        case FINISHED:
        case LOST: // exit code 0, but the driver never said it finished: its result line says
          return s.result()
              .map(this::withDays)
              .or(
                  () ->
                      exit.get() == org.apache.spark.launcher.SparkAppHandle.State.FINISHED
                          ? fromCatalog(r, started)
                          : Optional.empty());
        default:
          return Optional.empty();
      }
    }
    return ended(s.record(), r);
  }

  /** The ids a submission got so far (the application's, the cluster's driver's). */
  private static String ids(SparkSubmission.Record r) {
    return r.appId().orElse("") + " " + r.driverId().orElse("");
  }

  /**
   * The run of an application that ended while nobody followed it: its result line, else what the
   * catalog shows.
   */
  private Optional<EtlSummary> ended(SparkSubmission.Record b, SparkJob.Request r) {
    return b.result().map(this::withDays).or(() -> fromCatalog(r, b.submittedAt()));
  }

  /** A result line that gave only the totals: the days it processed, from the catalog. */
  private EtlSummary withDays(EtlSummary s) {
    return s.days().isEmpty()
        ? new EtlSummary(s.runId(), committedBy(s.runId(), Optional.empty()), s.elapsed())
        : s;
  }

  /**
   * The days the run {@code runId} committed (of {@code day} only, if given), as the catalog has
   * them.
   */
  private List<DaySummary> committedBy(String runId, Optional<LocalDate> day) {
    List<DaySummary> days = new ArrayList<>();
    for (ProcessedDay d :
        day.map(x -> catalog.processedDay(x).stream().toList()).orElseGet(catalog::processedDays)) {
      if (d.runId().equals(runId)) {
        days.add(
            new DaySummary(
                d.day(),
                false,
                d.sourceObjects(),
                d.rowsWritten(),
                d.rejected(),
                d.sourceBytes(),
                d.files().stream().mapToLong(ProcessedDay.ProcessedFile::bytes).sum(),
                Duration.ZERO,
                null));
      }
    }
    return days;
  }

  /**
   * The run the catalog shows for {@code r} since {@code since}: the job's ETL run (mode daily or
   * full) that succeeded, with the days it committed. Empty if there is none.
   */
  Optional<EtlSummary> fromCatalog(SparkJob.Request r, Instant since) {
    Instant from = since.minus(CLOCK_SLACK);
    for (Catalog.SucceededRun run : catalog.succeededRuns(r.full() ? "full" : "daily", from)) {
      List<DaySummary> days = committedBy(run.runId(), r.day());
      if (r.day().isPresent() && days.isEmpty()) {
        continue; // a daily run of another day
      }
      Duration took =
          run.finishedAt().map(f -> Duration.between(run.startedAt(), f)).orElse(Duration.ZERO);
      return Optional.of(new EtlSummary(run.runId(), days, took));
    }
    return Optional.empty();
  }

  /** Why a submission that ended did not give a run: one line, with where the driver's log is. */
  private static EtlException failure(SparkSubmission s) {
    SparkSubmission.Record rec = s.record();
    String state = s.finalState().map(Enum::name).orElse(s.state());
    String why =
        switch (state) {
          case "KILLED" -> "was killed";
          case "FINISHED" -> "finished, but neither its output nor the catalog has its run";
          case "LOST" -> "ended without a result";
          default -> "failed";
        };
    String error = s.error().map(e -> ": " + e).orElse("");
    return new EtlException(
        "Spark application "
            + rec.name()
            + " "
            + why
            + error
            + (rec.driverId().isPresent() ? " (spark-submit's log: " : " (driver log: ")
            + rec.err()
            + ")",
        null);
  }
}
