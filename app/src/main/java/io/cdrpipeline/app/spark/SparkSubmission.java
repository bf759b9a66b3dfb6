package io.cdrpipeline.app.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.etl.EtlSummary;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.launcher.SparkAppHandle;

/**
 * One submission of the Spark ETL application: started here through SparkLauncher (its state as the
 * driver reports it), or found again after a restart by the process it runs in. Its driver's stdout
 * and stderr go to files, so that they outlive the process that submitted it.
 */
public abstract class SparkSubmission {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The job's last stdout line: its run, as {@link EtlSummary#toJson()}. */
  public static final String RESULT_PREFIX = "CDR-ETL-RESULT ";

  /** The job's one line on stderr when it fails. */
  public static final String ERROR_PREFIX = "cdr-spark: ";

  /**
   * How long after its driver's end a FINISHED application waits for SparkLauncher to read the exit
   * code.
   */
  private static final Duration EXIT_SETTLE = Duration.ofSeconds(1);

  /**
   * What is kept in the etl step's checkpoint: enough to find the application again, and to read
   * its end.
   */
  record Record(
      String tag,
      String host,
      long pid,
      Optional<String> appId,
      Instant submittedAt,
      Path out,
      Path err,
      Optional<String> driverId,
      List<String> masterRest) {
    Record {
      Objects.requireNonNull(tag, "tag is null");
      Objects.requireNonNull(host, "host is null");
      Objects.requireNonNull(appId, "appId is null");
      Objects.requireNonNull(submittedAt, "submittedAt is null");
      Objects.requireNonNull(out, "out is null");
      Objects.requireNonNull(err, "err is null");
      Objects.requireNonNull(driverId, "driverId is null");
      masterRest = List.copyOf(masterRest);
    }

    /** A submission of this process that no cluster keeps a record of (local, client mode). */
    Record(
        String tag,
        String host,
        long pid,
        Optional<String> appId,
        Instant submittedAt,
        Path out,
        Path err) {
      this(tag, host, pid, appId, submittedAt, out, err, Optional.empty(), List.of());
    }

    ObjectNode toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.put("tag", tag);
      o.put("host", host);
      o.put("pid", pid);
      appId.ifPresent(a -> o.put("applicationId", a));
      o.put("submittedAt", submittedAt.toString());
      o.put("driverOut", out.toString());
      o.put("driverErr", err.toString());
      driverId.ifPresent(d -> o.put("driverId", d));
      if (!masterRest.isEmpty()) {
        var urls = o.putArray("masterRest");
        masterRest.forEach(urls::add);
      }
      return o;
    }

    /** The record a checkpoint holds; empty if it holds something else (another version's). */
    static Optional<Record> fromJson(JsonNode o) {
      if (o == null
          || !o.path("tag").isTextual()
          || !o.path("pid").canConvertToLong()
          || !o.path("driverOut").isTextual()) {
        return Optional.empty();
      }
      try {
        return Optional.of(
            new Record(
                o.path("tag").asText(),
                o.path("host").asText(),
                o.path("pid").asLong(),
                Optional.ofNullable(o.path("applicationId").textValue()),
                Instant.parse(o.path("submittedAt").asText()),
                Path.of(o.path("driverOut").asText()),
                Path.of(o.path("driverErr").asText()),
                Optional.ofNullable(o.path("driverId").textValue()),
                o.path("masterRest").isArray()
                    ? java.util.stream.StreamSupport.stream(
                            o.path("masterRest").spliterator(), false)
                        .map(JsonNode::asText)
                        .toList()
                    : List.of()));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }

    Record withAppId(String id) {
      return new Record(
          tag, host, pid, Optional.of(id), submittedAt, out, err, driverId, masterRest);
    }

    Record withDriverId(String id) {
      return new Record(tag, host, pid, appId, submittedAt, out, err, Optional.of(id), masterRest);
    }

    Record withMasterRest(List<String> urls) {
      return new Record(tag, host, pid, appId, submittedAt, out, err, driverId, urls);
    }

    /** The run the job reported on its last stdout line, if it printed one. */
    Optional<EtlSummary> result() {
      List<String> last = tail(out, 4);
      for (int i = last.size() - 1; i >= 0; i--) {
        String line = last.get(i);
        if (line.startsWith(RESULT_PREFIX)) {
          try {
            return Optional.of(
                EtlSummary.fromJson(JSON.readTree(line.substring(RESULT_PREFIX.length()))));
          } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
          }
        }
      }
      return Optional.empty();
    }

    /**
     * The one line that says why the driver failed: the job's {@code cdr-spark:} line; else, when
     * the driver's JVM did not even start (a bad {@code spark.driver.memory}, an unknown JVM
     * option), the JVM's own first lines above its generic "A fatal exception has occurred"; else
     * the last exception or error its log shows, else its last line.
     */
    Optional<String> error() {
      List<String> lines = tail(err, 200);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith(ERROR_PREFIX)) {
          return Optional.of(lines.get(i).substring(ERROR_PREFIX.length()).strip());
        }
      }
      Optional<String> notStarted = jvmNotStarted(lines);
      if (notStarted.isPresent()) {
        return notStarted;
      }
      for (int i = lines.size() - 1; i >= 0; i--) {
        String l = lines.get(i).strip();
        // the head of the last stack trace, not its frames or causes
        boolean trace =
            l.startsWith("at ")
                || l.startsWith("Caused by:")
                || l.startsWith("Suppressed:")
                || l.matches("\\.\\.\\. \\d+ more");
        if (!trace && (l.contains("Exception") || l.contains("Error") || l.contains(" ERROR "))) {
          return Optional.of(l);
        }
      }
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return Optional.of(lines.get(i).strip());
        }
      }
      return Optional.empty();
    }

    /**
     * The JVM's launcher ends a failed start with these lines, which say nothing of the cause: the
     * lines above them do ("Invalid maximum heap size: -Xmxbanana").
     */
    private static final List<String> JVM_NOT_STARTED =
        List.of(
            "Error: Could not create the Java Virtual Machine.",
            "Error: A fatal exception has occurred. Program will exit.");

    /**
     * Why the driver's JVM did not start, if that is what its log shows: its first meaningful
     * lines, at most three.
     */
    private static Optional<String> jvmNotStarted(List<String> lines) {
      int end = -1;
      for (int i = 0; i < lines.size() && end < 0; i++) {
        if (JVM_NOT_STARTED.contains(lines.get(i).strip())) {
          end = i;
        }
      }
      if (end < 0) {
        return Optional.empty();
      }
      List<String> cause =
          lines.subList(0, end).stream()
              .map(String::strip)
              .filter(l -> !l.isEmpty())
              .limit(3)
              .toList();
      return Optional.of(
          "the driver's JVM did not start: "
              + (cause.isEmpty() ? lines.get(end).strip() : String.join("; ", cause)));
    }

    /**
     * How messages name the application: its id once the driver gave one, else the cluster's id of
     * its driver (standalone cluster mode), else its tag.
     */
    String name() {
      return appId.or(() -> driverId).orElse(tag);
    }
  }

  /** The application's state: SparkLauncher's, or RUNNING / ENDED for one found again. */
  abstract String state();

  /** True when the application (its driver's process, in client mode) has ended. */
  abstract boolean ended();

  /**
   * The exit of the driver's process, when this process knows it: FINISHED, FAILED, KILLED, LOST
   * (exit 0, no report).
   */
  abstract Optional<SparkAppHandle.State> finalState();

  /** What identifies it (with the application id once known). */
  abstract Record record();

  /** Waits until it ended, or {@code max} passed; true if it ended. */
  abstract boolean awaitEnd(Duration max) throws InterruptedException;

  /** Asks it to stop, and kills it after {@code grace}; returns once its process is gone. */
  abstract void stop(Duration grace);

  /** The run the job reported on its last stdout line, if it printed one. */
  Optional<EtlSummary> result() {
    return record().result();
  }

  /** The one line that says why the driver failed, if its log says anything. */
  Optional<String> error() {
    return record().error();
  }

  /**
   * The last {@code n} lines of a file (at most 256 KiB of its end read); none if it is missing.
   */
  static List<String> tail(Path file, int n) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      int read = (int) Math.min(len, 256 * 1024);
      byte[] buf = new byte[read];
      f.seek(len - read);
      f.readFully(buf);
      List<String> all = new ArrayList<>(new String(buf, StandardCharsets.UTF_8).lines().toList());
      if (read < len && !all.isEmpty()) {
        all.remove(0); // cut in the middle
      }
      return all.subList(Math.max(0, all.size() - n), all.size());
    } catch (IOException e) {
      return List.of();
    }
  }

  /** True if {@code p} is the driver of the submission tagged {@code tag} (a pid can be reused). */
  static boolean isDriver(ProcessHandle p, String tag) {
    String marker = SparkJob.TAG_CONF + "=" + tag;
    return p.isAlive()
        && p.info().arguments().map(args -> List.of(args).contains(marker)).orElse(false);
  }

  // ---------------------------------------------------------------- started here

  /**
   * Started by this process: SparkLauncher's handle, and the driver's process among this process's
   * children.
   */
  static final class Launched extends SparkSubmission {
    private final SparkAppHandle handle;
    private final Optional<ProcessHandle> process;
    private volatile Record record;

    Launched(SparkAppHandle handle, Optional<ProcessHandle> process, Record record) {
      this.handle = Objects.requireNonNull(handle, "handle is null");
      this.process = Objects.requireNonNull(process, "process is null");
      this.record = Objects.requireNonNull(record, "record is null");
    }

    @Override
    String state() {
      return handle.getState().name();
    }

    /** When the driver's process was first seen gone, in System.nanoTime(); 0 before. */
    private volatile long goneSince;

    @Override
    boolean ended() {
      SparkAppHandle.State s = handle.getState();
      if (!s.isFinal() || process.map(ProcessHandle::isAlive).orElse(false)) {
        return false;
      }
      if (s != SparkAppHandle.State.FINISHED) {
        return true;
      }
      // FINISHED is what the driver said; SparkLauncher's own thread turns it into FAILED when it
      // reads a non-zero exit code, just after the process ends: give it a moment to
      if (goneSince == 0) {
        goneSince = System.nanoTime();
      }
      return System.nanoTime() - goneSince > EXIT_SETTLE.toNanos();
    }

    @Override
    Optional<SparkAppHandle.State> finalState() {
      return ended() ? Optional.of(handle.getState()) : Optional.empty();
    }

    @Override
    Record record() {
      String id = handle.getAppId();
      if (id != null && record.appId().isEmpty()) {
        record = record.withAppId(id);
      }
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
        Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 100));
      }
      return true;
    }

    @Override
    void stop(Duration grace) {
      boolean interrupted = Thread.interrupted();
      try {
        if (!ended()) {
          try {
            handle.stop(); // the driver stops its SparkContext
          } catch (IllegalStateException notConnected) {
            process.ifPresent(ProcessHandle::destroy); // SIGTERM: Spark's shutdown hook stops it
          }
          long end = System.nanoTime() + grace.toNanos();
          while (!ended() && System.nanoTime() < end) {
            try {
              Thread.sleep(100);
            } catch (InterruptedException e) {
              interrupted = true;
              break;
            }
          }
        }
        if (!ended()) {
          handle.kill();
        }
        process.ifPresent(
            p -> {
              try {
                p.onExit().get(30, TimeUnit.SECONDS);
              } catch (Exception ignored) {
                // it was sent SIGKILL: nothing more to do
              }
            });
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  // ---------------------------------------------------------------- found again

  /** An application a process before this one submitted, whose driver still runs on this host. */
  static final class Reattached extends SparkSubmission {
    private final ProcessHandle process;
    private final Record record;

    Reattached(ProcessHandle process, Record record) {
      this.process = Objects.requireNonNull(process, "process is null");
      this.record = Objects.requireNonNull(record, "record is null");
    }

    /** The driver of {@code r}, if it still runs on this host. */
    static Optional<Reattached> find(Record r) {
      if (!r.host().equals(SparkJob.host())) {
        return Optional.empty();
      }
      return ProcessHandle.of(r.pid())
          .filter(p -> isDriver(p, r.tag()))
          .map(p -> new Reattached(p, r));
    }

    @Override
    String state() {
      return process.isAlive() ? "RUNNING" : "ENDED";
    }

    @Override
    boolean ended() {
      return !process.isAlive();
    }

    @Override
    Optional<SparkAppHandle.State> finalState() {
      return Optional.empty(); // not this process's child: its exit code is not known here
    }

    @Override
    Record record() {
      return record;
    }

    @Override
    boolean awaitEnd(Duration max) throws InterruptedException {
      try {
        process.onExit().get(Math.max(1, max.toMillis()), TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        return !process.isAlive();
      }
    }

    @Override
    void stop(Duration grace) {
      process.destroy();
      try {
        process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      } catch (Exception e) {
        process.destroyForcibly();
      }
    }
  }

  /**
   * Removes the logs of submissions older than {@code keep} under {@code root} (one folder each).
   */
  static void prune(Path root, Duration keep) {
    try (var dirs = Files.list(root)) {
      Instant limit = Instant.now().minus(keep);
      for (Path d :
          dirs.filter(Files::isDirectory)
              .filter(d -> d.getFileName().toString().startsWith("etl-"))
              .toList()) {
        if (Files.getLastModifiedTime(d).toInstant().isBefore(limit)) {
          try (var files = Files.list(d)) {
            for (Path f : files.toList()) {
              Files.deleteIfExists(f);
            }
          }
          Files.deleteIfExists(d);
        }
      }
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(SparkSubmission.class)
          .info("could not prune old Spark logs in {}: {}", root, e.toString());
    }
  }
}
