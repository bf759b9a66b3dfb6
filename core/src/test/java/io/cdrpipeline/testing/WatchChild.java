package io.cdrpipeline.testing;

import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.watch.WatchBatch;
import io.cdrpipeline.watch.WatchJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs one watch poll in its own JVM as of noon (UTC) of a day, so a test can kill it. Args: dir,
 * day. Prints {@code done <batch or none>} at the end.
 */
public final class WatchChild {
  private WatchChild() {}

  public static void main(String[] args) throws Exception {
    Pipeline p = new Pipeline(Path.of(args[0]));
    WatchJob job = job(p, LocalDate.parse(args[1]));
    Optional<WatchBatch> b = job.poll();
    System.out.println("done " + b.flatMap(WatchBatch::batchId).orElse("none"));
  }

  /** The watch of a test pipeline as of noon (UTC) of the day. */
  public static WatchJob job(Pipeline p, LocalDate day) {
    return new WatchJob(
        p.catalog,
        List.of(new RawSource(ProcessedSchema.SOURCE_CDR, p.cdr, "")),
        p.table(),
        "256MB",
        p.config.stateDir().resolve("tmp"),
        2,
        Clock.fixed(day.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC),
        null,
        null);
  }

  /** Starts the child with a failpoint (or none); its output is merged into one stream. */
  public static Process start(Path dir, LocalDate day, String failpoint) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(javaBin, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    if (failpoint != null) {
      cmd.add("-Dcdr.failpoint=" + failpoint);
    }
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            WatchChild.class.getName(),
            dir.toString(),
            day.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }
}
