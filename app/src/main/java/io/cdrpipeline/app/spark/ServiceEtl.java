package io.cdrpipeline.app.spark;

import io.cdrpipeline.config.SparkService;
import io.cdrpipeline.etl.EtlException;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.workflow.StepContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The ETL as a run on a managed service ({@code spark.submit: glue} or {@code emr}), as the
 * original's Step Functions ran its Glue job: start it (the config file copied to {@code
 * spark.staging} first), keep its id in the step's checkpoint, poll its state to the end, stop it
 * when the execution is stopped or times out. A process that takes the execution over finds the
 * same run from the checkpoint (or, if the start's answer was lost, by the tag the run carries)
 * instead of starting a second one. The run's result is what the job committed, read from the
 * catalog, as for a driver in cluster mode.
 */
final class ServiceEtl {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceEtl.class);
  private static final DateTimeFormatter TAG_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  /** The first pause between two polls; it grows to {@link #POLL_MAX}. */
  private static final Duration POLL_FIRST = Duration.ofMillis(500);

  /** A service's API is rate-limited: a long run is polled this often. */
  private static final Duration POLL_MAX = Duration.ofSeconds(10);

  /** How many polls in a row may fail (the SDK retried each) before the step gives up. */
  private static final int POLL_FAILURES = 5;

  /** The name of the config file's copy, in the run's working folder on the service. */
  static final String CONFIG_NAME = "cdr.yaml";

  private final SparkEtl spark;
  private final SparkService service;
  private final Path configFile;
  private final S3Settings s3;
  private final Supplier<ServiceJobs> jobs;

  ServiceEtl(
      SparkEtl spark,
      SparkService service,
      Path configFile,
      S3Settings s3,
      Supplier<ServiceJobs> jobs) {
    this.spark = Objects.requireNonNull(spark, "spark is null");
    this.service = Objects.requireNonNull(service, "service is null");
    this.configFile = Objects.requireNonNull(configFile, "configFile is null");
    this.s3 = Objects.requireNonNull(s3, "s3 is null");
    this.jobs = Objects.requireNonNull(jobs, "jobs is null");
  }

  /**
   * Runs {@code r} on the service to its end and returns its run; an EtlException with one line
   * when the run did not succeed. Interrupted (a stop, the workflow's timeout), it stops the run,
   * unless the execution is being handed over.
   */
  EtlSummary run(SparkJob.Request r, StepContext.Checkpoint checkpoint, SparkEtl.Progress progress)
      throws InterruptedException {
    try (ServiceJobs j = jobs.get()) {
      Optional<ServiceRun> before =
          checkpoint
              .last()
              .flatMap(ServiceRun::fromJson)
              .filter(b -> b.service().equals(j.service()));
      if (before.isPresent()) {
        Optional<EtlSummary> done = resume(j, before.get(), r, checkpoint, progress);
        if (done.isPresent()) {
          return done.get();
        }
      }
      Instant now = Instant.now();
      String tag =
          "etl-" + TAG_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
      ServiceRun pending = new ServiceRun(j.service(), tag, Optional.empty(), j.where(), now);
      // saved before the start: a process that dies before it saves the run's id leaves the tag,
      // by which the next one finds the run
      if (!checkpoint.save(pending.toJson(), "starting " + j.noun() + " " + tag)) {
        throw new InterruptedException("the execution is owned by another process now");
      }
      String configUrl = stageConfig(tag);
      String id;
      try {
        id = j.start(r, tag, configUrl);
      } catch (SdkException e) {
        // the answer may be what was lost, not the start: a run carrying the tag is this one
        Optional<String> found;
        try {
          found = j.find(tag);
        } catch (SdkException f) {
          e.addSuppressed(f);
          found = Optional.empty();
        }
        id =
            found.orElseThrow(
                () ->
                    new EtlException(
                        "could not start a "
                            + j.noun()
                            + " ("
                            + j.where()
                            + "): "
                            + FailureText.firstLine(String.valueOf(e.getMessage())),
                        e));
      }
      ServiceRun run = pending.withId(id);
      if (!checkpoint.save(
          run.toJson(), "started " + j.noun() + " " + id + " (" + j.where() + ", " + tag + ")")) {
        j.stop(id);
        throw new InterruptedException("the execution is owned by another process now");
      }
      progress.message(
          "started " + j.noun() + " " + id + " of " + r.what() + " (" + j.where() + ")");
      return follow(j, run, r, checkpoint, progress);
    }
  }

  /**
   * The run a process before this one started: followed if it still runs, its result if it ended
   * well; empty when a new run must start (it failed, or it was never started).
   */
  private Optional<EtlSummary> resume(
      ServiceJobs j,
      ServiceRun b,
      SparkJob.Request r,
      StepContext.Checkpoint checkpoint,
      SparkEtl.Progress progress)
      throws InterruptedException {
    Optional<String> id = b.id().or(() -> j.find(b.tag()));
    if (id.isEmpty()) {
      progress.message(
          "no " + j.noun() + " tagged " + b.tag() + " was started: starting " + r.what());
      return Optional.empty();
    }
    ServiceRun known = b.withId(id.get());
    ServiceJobs.RunState s = j.state(id.get());
    switch (s.phase()) {
      case ACTIVE -> {
        progress.message(
            j.noun()
                + " "
                + id.get()
                + " (started "
                + b.submittedAt()
                + ") still runs: waiting for it");
        checkpoint.save(
            known.toJson(),
            "found " + j.noun() + " " + id.get() + " " + s.state() + ": waiting for it");
        return Optional.of(follow(j, known, r, checkpoint, progress));
      }
      case SUCCEEDED -> {
        Optional<EtlSummary> done = spark.fromCatalog(r, b.submittedAt());
        if (done.isPresent()) {
          progress.message(j.noun() + " " + id.get() + " had ended well: its run is taken");
          return done;
        }
      }
      default -> {}
    }
    progress.message(
        j.noun()
            + " "
            + id.get()
            + " ended "
            + s.state()
            + " while no process followed it: starting "
            + r.what()
            + " again");
    return Optional.empty();
  }

  /** Polls the run to its end, telling each state; its run if it succeeded. */
  private EtlSummary follow(
      ServiceJobs j,
      ServiceRun run,
      SparkJob.Request r,
      StepContext.Checkpoint checkpoint,
      SparkEtl.Progress progress)
      throws InterruptedException {
    String id = run.id().orElseThrow();
    String told = null;
    Duration pause = POLL_FIRST;
    int failures = 0;
    ServiceJobs.RunState s;
    try {
      while (true) {
        try {
          s = j.state(id);
          failures = 0;
        } catch (SdkException e) {
          if (++failures >= POLL_FAILURES) {
            throw new EtlException(
                "could not ask for the state of "
                    + j.noun()
                    + " "
                    + id
                    + " ("
                    + j.where()
                    + "): "
                    + FailureText.firstLine(String.valueOf(e.getMessage())),
                e);
          }
          LOG.info("asking for the state of {} {} failed: {}", j.noun(), id, e.toString());
          Thread.sleep(pause.toMillis());
          continue;
        }
        if (!s.state().equals(told)) {
          told = s.state();
          LOG.info("{} {} of {}: {}", j.noun(), id, r.what(), s.state());
          progress.message(j.noun() + " " + id + " " + s.state());
          checkpoint.save(run.toJson(), j.noun() + " " + id + " " + s.state());
        }
        if (s.phase() != ServiceJobs.Phase.ACTIVE) {
          break;
        }
        Thread.sleep(pause.toMillis());
        pause = pause.multipliedBy(3).dividedBy(2);
        if (pause.compareTo(POLL_MAX) > 0) {
          pause = POLL_MAX;
        }
      }
    } catch (InterruptedException e) {
      if (checkpoint.handingOver()) {
        LOG.info("leaving {} {} running for the next process", j.noun(), id);
      } else {
        stop(j, id);
      }
      throw e;
    }
    ServiceJobs.RunState end = s;
    if (end.phase() == ServiceJobs.Phase.SUCCEEDED) {
      return spark
          .fromCatalog(r, run.submittedAt())
          .orElseThrow(
              () ->
                  new EtlException(
                      j.noun()
                          + " "
                          + id
                          + " "
                          + end.state()
                          + ", but the catalog has no run of "
                          + r.what()
                          + " since "
                          + run.submittedAt()
                          + " (does the job's config name the same catalogUrl?)",
                      null));
    }
    throw new EtlException(
        j.noun()
            + " "
            + id
            + " ("
            + j.where()
            + ") ended "
            + s.state()
            + s.why().map(w -> ": " + w).orElse(""),
        null);
  }

  /** Stops the run and waits a bounded time for its end, so that no one is left billing. */
  private static void stop(ServiceJobs j, String id) {
    LOG.info("stopping {} {}", j.noun(), id);
    boolean interrupted = Thread.interrupted();
    try {
      j.stop(id);
      long end = System.nanoTime() + SparkEtl.STOP_GRACE.toNanos();
      while (System.nanoTime() < end) {
        ServiceJobs.RunState s = j.state(id);
        if (s.phase() != ServiceJobs.Phase.ACTIVE) {
          LOG.info("{} {} ended {}", j.noun(), id, s.state());
          return;
        }
        Thread.sleep(250);
      }
      LOG.info("{} {} is still stopping", j.noun(), id);
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (RuntimeException e) {
      LOG.warn("could not stop {} {}: {}", j.noun(), id, e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Copies the config file to {@code <spark.staging>/runs/<tag>/cdr.yaml}, the copy this run reads
   * on the service (a later change of the file does not reach a run already started); its URL.
   */
  private String stageConfig(String tag) {
    String key = "runs/" + tag + "/" + CONFIG_NAME;
    try (ObjectStore staging =
        ObjectStores.open(StoreLocation.parse(service.staging(), Path.of(".")), s3)) {
      staging.put(key, Files.readAllBytes(configFile));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "could not copy the config file to " + service.staging() + "/" + key, e);
    }
    return service.staging() + "/" + key;
  }
}
