package io.cdrpipeline.testing;

import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.model.ProcessedSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the ETL of one day in its own JVM, so a test can kill it. Args: dir, day, workers, then any
 * of {@code crawl} (crawl the CDR bucket first), {@code catalog=<jdbc url>} (the catalog database,
 * e.g. PostgreSQL) and {@code hold=<file>} (once the day is read, print {@code holding} and wait,
 * holding the day's lock, until the file exists). Prints the lines the run tells ({@code message
 * ...}), {@code done <run id>} at the end, or {@code failed: <one line>} and exits 1.
 */
public final class EtlChild {
  private EtlChild() {}

  public static void main(String[] args) throws Exception {
    String catalog = null;
    Path hold = null;
    boolean crawl = false;
    for (int i = 3; i < args.length; i++) {
      if (args[i].equals("crawl")) {
        crawl = true;
      } else if (args[i].startsWith("catalog=")) {
        catalog = args[i].substring("catalog=".length());
      } else if (args[i].startsWith("hold=")) {
        hold = Path.of(args[i].substring("hold=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Pipeline p = new Pipeline(Path.of(args[0]), null, catalog);
    if (crawl) {
      p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    }
    Thread main = Thread.currentThread();
    Path release = hold;
    EtlSummary summary;
    try {
      summary =
          p.etl(
                  new EtlListener() {
                    @Override
                    public void progress(
                        LocalDate day, long done, long listed, boolean listingDone) {
                      System.out.println("progress " + done);
                      System.out.flush();
                      // the engine's own last report of the day's reading, on the thread that runs
                      // the day
                      if (release != null && listingDone && Thread.currentThread() == main) {
                        System.out.println("holding");
                        System.out.flush();
                        await(release);
                      }
                    }

                    @Override
                    public void message(String text) {
                      System.out.println("message " + text);
                      System.out.flush();
                    }
                  })
              .runDay(LocalDate.parse(args[1]), Integer.parseInt(args[2]));
    } catch (RuntimeException e) {
      System.out.println("failed: " + e.getMessage());
      System.out.flush();
      System.exit(1);
      return;
    }
    System.out.println("done " + summary.runId());
  }

  private static void await(Path file) {
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nobody released " + file);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Starts the child with an optional failpoint; its output is merged into one stream. */
  public static Process start(Path dir, LocalDate day, int workers, String failpoint)
      throws Exception {
    return start(dir, day, workers, failpoint, List.of());
  }

  /** Starts the child with an optional failpoint and more arguments (see the class). */
  public static Process start(
      Path dir, LocalDate day, int workers, String failpoint, List<String> more) throws Exception {
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
            EtlChild.class.getName(),
            dir.toString(),
            day.toString(),
            String.valueOf(workers)));
    cmd.addAll(more);
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }
}
