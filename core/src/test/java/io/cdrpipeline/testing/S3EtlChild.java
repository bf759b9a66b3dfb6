package io.cdrpipeline.testing;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.TableSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Runs one day's ETL from and to S3 in its own JVM, so a test can make it die. Args: dir, endpoint,
 * day, bucket suffix.
 */
public final class S3EtlChild {
  private S3EtlChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    S3Settings s3 =
        new S3Settings(Optional.of(URI.create(args[1])), true, Optional.of("us-east-1"), 8);
    Database db = Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"));
    String suffix = args.length > 3 ? args[3] : "";
    S3Store cdr =
        new S3Store(new StoreLocation.S3("cdr-bucket" + suffix, ""), s3, S3Server.credentials());
    S3Store processed =
        new S3Store(
            new StoreLocation.S3("processed-bucket" + suffix, "tables"),
            s3,
            S3Server.credentials());
    Catalog catalog = new Catalog(db);
    EtlJob.embedded(
            catalog,
            List.of(new RawSource(ProcessedSchema.SOURCE_CDR, cdr, "")),
            new ProcessedTable(
                IcebergTable.open(TableSettings.DEFAULTS, db.url(), "cdrs", processed), catalog),
            "256MB",
            dir.resolve("data/state/tmp"),
            EtlListener.NONE)
        .runDay(LocalDate.parse(args[2]), 4);
    System.out.println("done");
  }

  public static Process start(
      Path dir, URI endpoint, LocalDate day, String failpoint, String suffix) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            javaBin,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Dcdr.failpoint=" + failpoint,
            "-cp",
            System.getProperty("java.class.path"),
            S3EtlChild.class.getName(),
            dir.toString(),
            endpoint.toString(),
            day.toString(),
            suffix)
        .redirectErrorStream(true)
        .start();
  }
}
