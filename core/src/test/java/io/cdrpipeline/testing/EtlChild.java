package io.cdrpipeline.testing;

import io.cdrpipeline.etl.EtlListener;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * Runs the ETL of one day in its own JVM, so a test can kill it. Args: dir, day, workers, and
 * optionally {@code crawl} to crawl the CDR bucket first.
 */
public final class EtlChild {
  private EtlChild() {}

  public static void main(String[] args) {
    Pipeline p = new Pipeline(Path.of(args[0]));
    if (args.length > 3 && args[3].equals("crawl")) {
      try {
        p.crawler().crawlRaw(p.cdr, io.cdrpipeline.crawl.Crawler.SOURCE_CDR, false);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    p.etl(new EtlListener() {
      @Override
      public void progress(LocalDate day, long done, long listed, boolean listingDone) {
        System.out.println("progress " + done);
        System.out.flush();
      }
    }).runDay(LocalDate.parse(args[1]), Integer.parseInt(args[2]));
    System.out.println("done");
  }

  /** Starts the child with an optional failpoint; its output is merged into one stream. */
  public static Process start(Path dir, LocalDate day, int workers, String failpoint) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(javaBin, "-Xmx256m"));
    if (failpoint != null) {
      cmd.add("-Dcdr.failpoint=" + failpoint);
    }
    cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), EtlChild.class.getName(),
        dir.toString(), day.toString(), String.valueOf(workers)));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }
}
