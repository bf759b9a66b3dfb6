package io.cdrpipeline.app.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.SparkAppHandle;

/**
 * An application in cluster mode on a Spark standalone cluster, followed through the cluster's own
 * record of its driver: the master's REST submission server ({@code spark.master.rest.enabled=true}
 * on the master; {@code GET /v1/submissions/status/<driverId>}, {@code POST
 * /v1/submissions/kill/<driverId>}). spark-submit only hands the driver to the master and ends
 * ({@code Driver successfully submitted as driver-...}); the driver's id, kept in the etl step's
 * checkpoint, lets any process on any host follow the same driver, or stop it.
 */
final class StandaloneDriver extends SparkSubmission {
  /** The REST server's port when {@code spark.master.rest.port} is not set: Spark's default. */
  static final int DEFAULT_REST_PORT = 6066;

  /**
   * How long the master may not answer before the application is given up: long enough for a master
   * restart or a standby's take-over.
   */
  static final Duration MASTER_LOST_AFTER = Duration.ofSeconds(30);

  /** How often the master is asked. */
  private static final Duration POLL = Duration.ofSeconds(1);

  /** Spark's driver states that do not change any more. */
  static final Set<String> FINAL = Set.of("FINISHED", "FAILED", "KILLED", "ERROR", "NOT_FOUND");

  /** What spark-submit's client logs once the master took the driver (legacy or REST client). */
  private static final Pattern SUBMITTED =
      Pattern.compile(
          "(?:Driver successfully submitted as|Submission successfully created as) (driver-\\S+)");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** spark-submit, when this process submitted the driver. */
  private final Optional<SparkSubmission> submit;

  private volatile Record record;
  private volatile String state = "SUBMITTING";
  private volatile Optional<String> worker = Optional.empty();
  private volatile Optional<String> message = Optional.empty();
  private volatile Optional<String> unreachable = Optional.empty();
  private volatile long unreachableSince;
  private volatile long askedAt;

  StandaloneDriver(Optional<SparkSubmission> submit, Record record) {
    this.submit = Objects.requireNonNull(submit, "submit is null");
    this.record = Objects.requireNonNull(record, "record is null");
    if (record.masterRest().isEmpty()) {
      throw new IllegalArgumentException("no REST address of the master");
    }
  }

  /**
   * The REST addresses of the masters of {@code master} ({@code spark://h1:7077,h2:7077}): each
   * host with {@code restPort}.
   */
  static List<String> restUrls(String master, int restPort) {
    List<String> urls = new ArrayList<>();
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
      urls.add("http://" + host + ":" + restPort);
    }
    return urls;
  }

  /**
   * The driver a checkpoint names, as the master has it now; {@code state()} says whether it runs.
   */
  static StandaloneDriver find(Record r) {
    StandaloneDriver d = new StandaloneDriver(Optional.empty(), r);
    d.ask();
    return d;
  }

  /** True once the master answered about the driver, or gave up on it. */
  boolean known() {
    return !state.equals("SUBMITTING") && unreachable.isEmpty();
  }

  @Override
  String state() {
    refresh();
    if (record.driverId().isEmpty()) {
      return submit.map(SparkSubmission::state).orElse(state);
    }
    return unreachable.isPresent() ? "MASTER UNREACHABLE" : state;
  }

  @Override
  boolean ended() {
    refresh();
    if (record.driverId().isEmpty()) {
      // spark-submit ended without handing a driver to the master: the submission failed
      return submit.map(SparkSubmission::ended).orElse(true);
    }
    return FINAL.contains(state) || masterLost();
  }

  private boolean masterLost() {
    return unreachable.isPresent()
        && System.nanoTime() - unreachableSince > MASTER_LOST_AFTER.toNanos();
  }

  @Override
  Optional<SparkAppHandle.State> finalState() {
    if (!ended()) {
      return Optional.empty();
    }
    if (record.driverId().isEmpty()) {
      return Optional.of(SparkAppHandle.State.FAILED);
    }
    return switch (state) {
      case "FINISHED" -> Optional.of(SparkAppHandle.State.FINISHED);
      case "KILLED" -> Optional.of(SparkAppHandle.State.KILLED);
      case "FAILED", "ERROR", "NOT_FOUND" -> Optional.of(SparkAppHandle.State.FAILED);
      default -> Optional.empty(); // the master does not answer: its end is not known
    };
  }

  @Override
  Record record() {
    refresh();
    return record;
  }

  @Override
  boolean awaitEnd(Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!ended()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      Thread.sleep(Math.min(left / 1_000_000 + 1, 200));
    }
    return true;
  }

  @Override
  void stop(Duration grace) {
    if (record.driverId().isPresent()) {
      for (String url : record.masterRest()) {
        try {
          HttpResponse<String> r =
              HTTP.send(
                  HttpRequest.newBuilder(
                          URI.create(url + "/v1/submissions/kill/" + record.driverId().get()))
                      .timeout(Duration.ofSeconds(10))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && JSON.readTree(r.body()).path("success").asBoolean()) {
            break;
          }
        } catch (IOException e) {
          // the next master, if any
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      long end = System.nanoTime() + grace.toNanos();
      while (!ended() && System.nanoTime() < end) {
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    submit.ifPresent(s -> s.stop(grace));
  }

  /**
   * Why the driver ended without a run: the master's word, where its log is; or spark-submit's own
   * error when it did not hand a driver over.
   */
  @Override
  Optional<String> error() {
    if (record.driverId().isEmpty()) {
      return submit.flatMap(SparkSubmission::error).or(record::error);
    }
    String driver = record.driverId().get();
    if (unreachable.isPresent() && !FINAL.contains(state)) {
      return Optional.of(
          "the Spark master no longer answers ("
              + unreachable.get()
              + ") for "
              + MASTER_LOST_AFTER.toSeconds()
              + " s; its driver "
              + driver
              + " may still run");
    }
    String where =
        worker
            .map(
                w ->
                    " on worker "
                        + w
                        + " (its log: "
                        + driver
                        + "/stderr in that worker's work folder)")
            .orElse("");
    return Optional.of(
        "the driver "
            + driver
            + " is "
            + state
            + where
            + message.map(m -> ": " + firstLine(m)).orElse(""));
  }

  private static String firstLine(String s) {
    return s.strip().lines().findFirst().orElse("");
  }

  /** Takes the driver's id from spark-submit's log, then asks the master, at most every second. */
  private void refresh() {
    if (record.driverId().isEmpty()) {
      submit.ifPresent(
          s -> {
            for (String line : tail(record.err(), 400)) {
              Matcher m = SUBMITTED.matcher(line);
              if (m.find()) {
                record = record.withDriverId(m.group(1));
              }
            }
          });
    }
    if (record.driverId().isPresent()
        && !FINAL.contains(state)
        && System.nanoTime() - askedAt > POLL.toNanos()) {
      ask();
    }
  }

  /** Asks each master in turn for the driver's state, until one knows it. */
  private synchronized void ask() {
    askedAt = System.nanoTime();
    String id = record.driverId().orElseThrow();
    List<String> failures = new ArrayList<>();
    boolean answered = false;
    for (String url : record.masterRest()) {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/submissions/status/" + id))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode o = JSON.readTree(r.body());
        answered = true;
        if (o.path("driverState").isTextual()) {
          state = o.path("driverState").asText();
          worker = Optional.ofNullable(o.path("workerHostPort").textValue());
          message = Optional.ofNullable(o.path("message").textValue());
          break;
        }
        // a standby master, or one that never had the driver (restarted without recovery)
        state = "NOT_FOUND";
        message = Optional.ofNullable(o.path("message").textValue());
      } catch (IOException e) {
        failures.add(url + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (answered) {
      unreachable = Optional.empty();
      unreachableSince = 0;
    } else {
      if (unreachable.isEmpty()) {
        unreachableSince = System.nanoTime();
      }
      unreachable = Optional.of(String.join("; ", failures));
    }
  }
}
