package io.cdrpipeline.spark;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * A generated multi-day bucket with every kind of bad file, an additional bucket holding copies of
 * some calls, and the ways to run the ETL of it on either engine into a pipeline of its own.
 */
final class SparkDays {
  static final LocalDate DAY1 = LocalDate.of(2026, 11, 29);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 30);
  static final LocalDate DAY3 = LocalDate.of(2026, 12, 1);
  static final List<LocalDate> DAYS = List.of(DAY1, DAY2, DAY3);

  final Path cdr;
  final Path additional;

  private SparkDays(Path cdr, Path additional) {
    this.cdr = cdr;
    this.additional = additional;
  }

  /** Writes the buckets under {@code dir}. */
  static SparkDays write(Path dir) throws Exception {
    Path cdr = dir.resolve("cdr-bucket");
    Path additional = dir.resolve("old-bucket");
    LocalStore store = new LocalStore(cdr);
    CdrGenerator gen = new CdrGenerator(store);
    long seed = 70;
    int[] calls = {900, 700, 800};
    for (int i = 0; i < DAYS.size(); i++) {
      gen.generate(DAYS.get(i), calls[i], 2, seed++, 6, null);
    }
    // unknown fields: a column made on day 1, values of other types on day 2 (text column), mixed
    // types
    put(
        store,
        DAY1,
        "x-carrier",
        extra(
            "x1", 1764374400L, "\"Carrier\": 42, \"Rate\": 0.5, \"Flag\": true, \"Tags\": [1, 2]"));
    put(
        store,
        DAY2,
        "x-att",
        extra(
            "x2",
            1764460800L,
            "\"Carrier\": \"att\", \"Rate\": 2, \"Flag\": \"maybe\", \"Mix\": 1.0E16"));
    put(
        store,
        DAY2,
        "x-float",
        extra(
            "x3",
            1764460801L,
            "\"Carrier\": 1.5, \"Rate\": 1e-7, \"Flag\": 1, \"Mix\": true, "
                + "\"Nested\": {\"a\": [1, \"b\", null]}"));
    put(
        store,
        DAY2,
        "x-null",
        extra(
            "x4",
            1764460802L,
            "\"Carrier\": null, \"Mix\": \"text\", \"Big\": 123456789012345678901234"));
    put(
        store,
        DAY2,
        "x-numbers",
        extra("x5", 1764460803L, "\"Mix\": 7, \"Big\": 1e400, \"a.b\": 1, \"A_B\": 2"));
    // bad files the listing or the reader refuses, as the embedded engine does
    Path day2 = cdr.resolve(RawLayout.dayPrefix("vc-hostile", DAY2));
    Files.createDirectories(day2);
    Files.writeString(
        day2.resolve(".partial"),
        "{\"CallId\": \"hidden\", \"StartTimeEpochSeconds\": 1764460800}");
    Files.writeString(
        day2.resolve("huge"),
        "{\"CallId\": \"huge\", \"StartTimeEpochSeconds\": 1764460800, \"Notes\": \""
            + "x".repeat(1_100_000)
            + "\"}");
    Files.writeString(
        day2.resolve("target"), "{\"CallId\": \"linked\", \"StartTimeEpochSeconds\": 1764460800}");
    Files.createSymbolicLink(day2.resolve("link"), Path.of("target"));
    Files.createDirectories(day2.resolve("sub/deeper"));
    Files.writeString(
        day2.resolve("sub/deeper/inner.json"),
        "{\"CallId\": \"inner\", \"StartTimeEpochSeconds\": 1764460900}");
    Files.writeString(day2.resolve("sub/empty"), "");
    Process mkfifo =
        new ProcessBuilder("mkfifo", day2.resolve("pipe").toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    // day 3: more unknown fields than a day takes, the most common kept
    for (int i = 0; i < 130; i++) {
      StringBuilder f = new StringBuilder("\"Common\": " + i);
      for (int j = 0; j <= i % 3; j++) {
        f.append(", \"Field").append(i).append('_').append(j).append("\": ").append(j);
      }
      put(
          store,
          DAY3,
          String.format("many-%03d", i),
          extra("m" + i, 1764547200L + i, f.toString()));
    }
    // the additional bucket: copies of day 1's calls under other keys (written once), and calls of
    // its own
    LocalStore old = new LocalStore(additional);
    List<String> keys = new ArrayList<>();
    store
        .listAll(RawLayout.ROOT)
        .forEach(
            o -> {
              if (o.key().contains("/2026/11/29/") && keys.size() < 150) {
                keys.add(o.key());
              }
            });
    for (String k : keys) {
      old.put(k.replace(".json", "") + "-copy", store.read(k));
    }
    new CdrGenerator(old).generate(DAY1, 120, 1, 99, 2, null);
    return new SparkDays(cdr, additional);
  }

  private static String extra(String callId, long start, String fields) {
    return "{\"CallId\": \""
        + callId
        + "\", \"TransactionId\": \"t-"
        + callId
        + "\", \"VoiceConnectorId\": \"vc-x\", "
        + "\"StartTimeEpochSeconds\": "
        + start
        + ", \"EndTimeEpochSeconds\": "
        + (start + 60)
        + ", "
        + fields
        + "}";
  }

  private static void put(LocalStore store, LocalDate day, String name, String json)
      throws Exception {
    store.put(RawLayout.dayPrefix("vc-x", day) + name, json.getBytes(UTF_8));
  }

  /** The buckets as a pipeline reads them: the CDR bucket, then the additional one. */
  List<RawSource> sources() {
    LocalStore old = new LocalStore(additional);
    return List.of(
        new RawSource(ProcessedSchema.SOURCE_CDR, new LocalStore(cdr), ""),
        new RawSource(ProcessedSchema.SOURCE_ADDITIONAL, old, old.location().display() + "/"));
  }

  /** The same buckets as Spark's tasks open them. */
  List<SourceSpec> specs() {
    List<SourceSpec> specs = new ArrayList<>();
    for (RawSource s : sources()) {
      specs.add(
          new SourceSpec(
              s.name(),
              StoreSpec.of(s.store().location(), S3Settings.defaults()),
              s.sourceKeyPrefix()));
    }
    return specs;
  }

  /** The ETL on the embedded engine. */
  EtlJob embedded(Pipeline p) {
    return EtlJob.embedded(
        p.catalog,
        sources(),
        p.table(),
        "512MB",
        p.config.stateDir().resolve("tmp"),
        EtlListener.NONE);
  }

  /** The ETL on Spark, into the pipeline's table. */
  EtlJob spark(Pipeline p, SparkSession spark) {
    return spark(p, spark, StoreSpec.of(p.processed.location(), S3Settings.defaults()));
  }

  /** The ETL on Spark, whose tasks write the table's files through this store. */
  EtlJob spark(Pipeline p, SparkSession spark, StoreSpec warehouse) {
    return spark(p, spark, warehouse, SparkEngine.DIRECT_ROWS);
  }

  /** The Spark ETL that writes days of more than {@code directRows} rows through Spark SQL. */
  EtlJob spark(Pipeline p, SparkSession spark, StoreSpec warehouse, long directRows) {
    return new EtlJob(
        p.catalog,
        sources(),
        p.table(),
        new SparkEngine(spark, specs(), warehouse, EtlListener.NONE, directRows),
        EtlListener.NONE);
  }

  /** Each day's bookkeeping without what differs from run to run (run id, time, file names). */
  static TreeMap<LocalDate, List<Object>> bookkeeping(Pipeline p) {
    TreeMap<LocalDate, List<Object>> m = new TreeMap<>();
    for (LocalDate d : DAYS) {
      Optional<ProcessedDay> day = p.catalog.processedDay(d);
      day.ifPresent(
          x ->
              m.put(
                  d,
                  List.of(
                      x.fingerprint(),
                      x.sourceObjects(),
                      x.sourceBytes(),
                      x.rowsWritten(),
                      x.rejected(),
                      x.files().stream().mapToLong(ProcessedDay.ProcessedFile::rows).sum())));
    }
    return m;
  }
}
