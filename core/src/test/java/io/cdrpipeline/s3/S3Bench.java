package io.cdrpipeline.s3;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.TableSettings;
import io.cdrpipeline.testing.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;

/**
 * Benchmark: the ETL of one day of small CDR objects from an S3-compatible server (S3Proxy in this
 * JVM, on loopback) against the same files in a local folder, in one run. Run: {@code mvn -q -pl
 * core test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cdrpipeline.s3.S3Bench
 * -Dexec.args="100000 64"}.
 */
public final class S3Bench {
  private S3Bench() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    LocalDate day = LocalDate.of(2026, 11, 27);
    Path dir = Files.createTempDirectory("cdr-s3-bench");
    try (S3Server server = new S3Server()) {
      S3Store s3 = server.store("bench-cdrs", "", concurrency);
      LocalStore local = new LocalStore(dir.resolve("cdr-bucket"));
      System.out.printf("generating %,d CDR objects into S3 and into a folder ...%n", calls);
      new CdrGenerator(s3).generate(day, calls, 4, 7, 0, null);
      new CdrGenerator(local).generate(day, calls, 4, 7, 0, null);
      double folder =
          run(
              "folder",
              dir.resolve("a"),
              local,
              new LocalStore(dir.resolve("a/processed")),
              day,
              concurrency,
              calls);
      double bucket =
          run(
              "s3",
              dir.resolve("b"),
              s3,
              server.store("bench-processed", "", concurrency),
              day,
              concurrency,
              calls);
      System.out.printf("S3 / folder throughput: %.2f%n", bucket / folder);
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double run(
      String name,
      Path state,
      ObjectStore source,
      ObjectStore processed,
      LocalDate day,
      int workers,
      int calls) {
    Catalog catalog = new Catalog(Database.open("jdbc:sqlite:" + state.resolve("catalog.db")));
    EtlJob etl =
        EtlJob.embedded(
            catalog,
            List.of(new RawSource(ProcessedSchema.SOURCE_CDR, source, "")),
            new ProcessedTable(
                IcebergTable.open(
                    TableSettings.DEFAULTS, catalog.database().url(), "cdrs", processed),
                catalog),
            "1GB",
            state.resolve("tmp"),
            EtlListener.NONE);
    etl.runDay(day, workers); // warm-up: JIT and page cache, as in a running service
    EtlSummary s = etl.runDay(day, workers);
    double fps = s.filesRead() / (s.elapsed().toNanos() / 1e9);
    System.out.printf(
        "%-7s %,d files in %.2f s: %,.0f files/s (%d readers)%n",
        name, s.filesRead(), s.elapsed().toNanos() / 1e9, fps, etl.effectiveWorkers(workers));
    if (s.rowsWritten() != calls) {
      throw new IllegalStateException(
          name + ": wrote " + s.rowsWritten() + " rows, expected " + calls);
    }
    return fps;
  }
}
