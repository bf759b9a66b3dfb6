package io.cdrpipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.query.QueryResult;
import io.cdrpipeline.testing.S3Pipeline;
import io.cdrpipeline.testing.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark's tasks read the CDR buckets and write the table's files on S3 (an in-process S3-compatible
 * server) through the product's own S3 client, and land what the embedded engine lands from the
 * same buckets.
 */
class SparkS3Test {
  private static final LocalDate DAY = LocalDate.of(2026, 5, 4);
  private static S3Server server;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    server = new S3Server();
    // the tasks open their stores through the default credential chain, as on a cluster
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    System.setProperty("aws.region", "us-east-1");
    LocalSpark.get();
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    System.clearProperty("aws.region");
    server.close();
  }

  @Test
  void sparkReadsAndWritesS3LikeTheEmbeddedEngine() throws Exception {
    S3Pipeline embedded = new S3Pipeline(tmp.resolve("e"), server, true, "e");
    S3Pipeline spark = new S3Pipeline(tmp.resolve("s"), server, true, "s");
    new CdrGenerator(embedded.cdr).generate(DAY, 1500, 3, 11, 5, null);
    new CdrGenerator(embedded.additional).generate(DAY, 200, 1, 12, 1, null);
    embedded.cdr.put(
        RawLayout.dayPrefix("vc-x", DAY) + "x",
        ("{\"CallId\": \"x\", \"StartTimeEpochSeconds\": 1777852800, "
                + "\"Carrier\": \"att\", \"Hops\": [1, 2]}")
            .getBytes(StandardCharsets.UTF_8));
    List<RawSource> sources = embedded.sources();
    EtlSummary e =
        EtlJob.embedded(
                embedded.catalog,
                sources,
                embedded.table(),
                "512MB",
                embedded.config.stateDir().resolve("tmp"),
                EtlListener.NONE)
            .runDay(DAY, 4);

    List<SourceSpec> specs = new ArrayList<>();
    for (RawSource s : sources) {
      specs.add(
          new SourceSpec(
              s.name(),
              StoreSpec.of(s.store().location(), server.settings(16)),
              s.sourceKeyPrefix()));
    }
    StoreSpec warehouse = StoreSpec.of(spark.processed.location(), server.settings(16));
    EtlSummary s =
        new EtlJob(
                spark.catalog,
                sources,
                spark.table(),
                new SparkEngine(LocalSpark.get(), specs, warehouse, EtlListener.NONE),
                EtlListener.NONE)
            .runDay(DAY, 3);

    assertThat(s.rowsWritten()).isEqualTo(e.rowsWritten()).isEqualTo(1701);
    assertThat(s.rejected()).isEqualTo(e.rejected()).isEqualTo(6);
    assertThat(spark.catalog.processedDay(DAY).orElseThrow().fingerprint())
        .isEqualTo(embedded.catalog.processedDay(DAY).orElseThrow().fingerprint());
    assertThat(spark.table().iceberg().refresh().dayFiles(DAY))
        .isNotEmpty()
        .allMatch(
            f -> f.location().startsWith("s3://processed-bucket-s/tables/processed_cdrs/data/"));
    assertThat(quarantine(spark)).isEqualTo(quarantine(embedded)).hasSize(6);
    QueryResult mine = spark.sql("SELECT * FROM processed_cdrs");
    assertThat(sorted(SparkReadsProcessedTableTest.canonical(mine)))
        .isEqualTo(
            sorted(
                SparkReadsProcessedTableTest.canonical(
                    embedded.sql("SELECT * FROM processed_cdrs"))));
    assertThat(ProcessedSchema.SOURCE_ADDITIONAL).isEqualTo(sources.get(1).name());
  }

  private static List<String> quarantine(S3Pipeline p) {
    return p.catalog.quarantine(Optional.of(DAY)).stream()
        .map((QuarantinedFile q) -> q.sourceKey() + " " + q.reason())
        .sorted()
        .toList();
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }
}
