package io.cdrpipeline.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.report.S3PresignedLinks;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.testing.S3EtlChild;
import io.cdrpipeline.testing.S3Pipeline;
import io.cdrpipeline.testing.S3Server;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.LocalPipelineActions;
import io.cdrpipeline.workflow.Workflows;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole product with its buckets on a real S3-compatible server (S3Proxy, in this JVM). */
class S3PipelineTest {
  static final String DATA_D1 = "processed_cdrs/data/year=2026/month=11/day=1/";
  static final LocalDate D1 = LocalDate.of(2026, 11, 1);
  static final LocalDate D2 = LocalDate.of(2026, 11, 2);
  static final LocalDate D3 = LocalDate.of(2026, 11, 3);

  static S3Server server;

  @TempDir Path tmp;
  S3Pipeline p;

  @BeforeAll
  static void start() throws Exception {
    server = new S3Server();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @BeforeEach
  void setUp(org.junit.jupiter.api.TestInfo info) {
    // every test gets its own buckets: the server outlives the tests
    String suffix = Integer.toHexString(info.getDisplayName().hashCode() & 0xffffff);
    p = new S3Pipeline(tmp, server, true, suffix);
  }

  @AfterEach
  void tearDown() {
    server.failEvery.set(0);
    server.alwaysFail.set(null);
    p.close();
  }

  Executor executor() {
    return executor(2);
  }

  Executor executor(int stepAttempts) {
    Topic topic =
        Topic.of(List.of(), new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1)));
    LocalPipelineActions actions =
        new LocalPipelineActions(
            new LocalPipelineActions.Parts(
                p::crawler,
                p.sources(),
                p::table,
                p::etl,
                p::query,
                p.reports,
                new S3PresignedLinks(p.reports),
                4,
                4,
                Duration.ofDays(1)));
    return new Executor(
        new ExecutionStore(p.catalog),
        Workflows.definitions(
            actions,
            topic,
            Workflows.Timeouts.defaults(),
            Duration.ofMinutes(10),
            Clock.systemUTC()),
        topic,
        Clock.systemUTC(),
        new Executor.Settings(
            Duration.ofMillis(200), Duration.ofSeconds(30), stepAttempts, Duration.ofMillis(10)));
  }

  @Test
  void dailyWorkflowQueryAndReportWithAPresignedLinkAllOnS3() throws Exception {
    new CdrGenerator(p.cdr).generate(D1, 150, 2, 5, 3, null);
    try (Executor ex = executor()) {
      Execution daily =
          ex.run(
              ex.start(Workflows.DAILY, Workflows.input("Date", D1.toString()), "test", true).id(),
              null);
      assertThat(daily.status()).as(daily.error().orElse("")).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(daily.output().orElseThrow().get("rowsWritten").asLong()).isEqualTo(150);
      assertThat(daily.output().orElseThrow().get("rejected").asLong()).isEqualTo(3);

      List<ObjectInfo> written = p.processed.listAll(DATA_D1);
      assertThat(written).singleElement().satisfies(o -> assertThat(o.key()).endsWith(".parquet"));
      assertThat(p.table().iceberg().dayFiles(D1))
          .singleElement()
          .satisfies(
              f ->
                  assertThat(f.location())
                      .isEqualTo(
                          "s3://" + p.processed.bucket() + "/tables/" + written.get(0).key()));
      assertThat(
              p.processed
                  .client()
                  .headObject(
                      b ->
                          b.bucket(p.processed.bucket())
                              .key(
                                  "tables/processed_cdrs/data/year=2026/month=11/day=1/"
                                      + written.get(0).name()))
                  .contentLength())
          .isPositive();

      assertThat(p.count("SELECT count(*) FROM cdrs.processed_cdrs")).isEqualTo(150);
      assertThat(p.count("SELECT count(*) FROM quarantined_cdrs")).isEqualTo(3);

      Execution report =
          ex.run(
              ex.start(Workflows.REPORT, Workflows.input("Month", "2026-11"), "test", true).id(),
              null);
      assertThat(report.status())
          .as(report.error().orElse(""))
          .isEqualTo(ExecutionStatus.SUCCEEDED);
      String link = report.output().orElseThrow().get("link").asText();
      assertThat(link)
          .startsWith(server.endpoint() + "/")
          .contains("X-Amz-Signature=")
          .contains("X-Amz-Expires=600");
      HttpResponse<String> got =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(link)).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.body())
          .startsWith("npanxx,TotalDuration,CallCount")
          .isEqualTo(
              new String(p.reports.read("reports/2026-11/npanxx.csv"), StandardCharsets.UTF_8));
      HttpResponse<String> tampered =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(link.replace("npanxx.csv", "summary.csv")))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(tampered.statusCode()).isEqualTo(403);
    }
  }

  @Test
  void aQueryFetchesOnlyTheDaysItsFiltersAllow() throws Exception {
    for (LocalDate d : List.of(D1, D2, D3)) {
      new CdrGenerator(p.cdr).generate(d, 40, 1, d.getDayOfMonth(), 0, null);
      p.etl().runDay(d, 4);
    }
    assertThat(
            p.count(
                "SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 11 AND day = 2"))
        .isEqualTo(40);
    assertThat(cachedParquet()).hasSize(1).allMatch(f -> f.toString().contains("/day=2/"));
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day IN (1, 3)")).isEqualTo(80);
    assertThat(cachedParquet()).hasSize(3);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(120);
  }

  @Test
  void throttledAndFailingReadsStillLandEveryRow() throws Exception {
    new CdrGenerator(p.cdr).generate(D1, 300, 2, 9, 0, null);
    server.failEvery.set(6);
    int before = server.injectedFailures.get();
    EtlSummary s = p.etl().runDay(D1, 16);
    server.failEvery.set(0);
    assertThat(server.injectedFailures.get() - before).isGreaterThan(20);
    assertThat(s.rowsWritten()).isEqualTo(300);
    assertThat(p.count("SELECT count(DISTINCT callid) FROM processed_cdrs")).isEqualTo(300);
  }

  @Test
  void aThrottledCallIsRetriedByTheSdkAloneABoundedNumberOfTimesInAll() throws Exception {
    new CdrGenerator(p.cdr).generate(D1, 30, 1, 7, 0, null);
    String key = p.cdr.listAll(RawLayout.ROOT).get(11).key();
    server.alwaysFail.set(p.cdr.fullKey(key)); // every read of this one object: 503 Slow Down
    int before = server.alwaysFailReads.get();
    int stepAttempts = Executor.Settings.defaults().stepAttempts();
    assertThat(stepAttempts).as("the step layer does retry transient errors").isGreaterThan(1);
    try (Executor ex = executor(stepAttempts)) {
      Execution daily =
          ex.run(
              ex.start(Workflows.DAILY, Workflows.input("Date", D1.toString()), "test", true).id(),
              null);
      assertThat(daily.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(daily.error())
          .hasValueSatisfying(e -> assertThat(e).contains(key).contains("503"));
      // the SDK's attempts, once: not multiplied by the step's retries
      assertThat(server.alwaysFailReads.get() - before).isEqualTo(S3Store.MAX_ATTEMPTS);
      assertThat(ex.store().events(daily.id()))
          .noneMatch(ev -> ev.type() == ExecutionEvent.Type.STEP_RETRIED);
    }
  }

  @Test
  void aCrashBetweenWriteAndSwitchLeavesTheOldDayAndTheNextRunCleansUp() throws Exception {
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(D1, 100, 2, 1, 0, null);
    p.etl().runDay(D1, 4);
    gen.generate(D1, 60, 2, 2, 0, null); // late files
    Process child = S3EtlChild.start(tmp, server.endpoint(), D1, "etl.before-commit", p.suffix);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue())
        .as(new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo(137);

    assertThat(p.processed.listAll(DATA_D1)).hasSize(2); // the new file, not committed
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(100);
    assertThat(p.catalog.processedDay(D1).orElseThrow().rowsWritten()).isEqualTo(100);

    p.etl().runDay(D1, 4);
    assertThat(p.table().iceberg().dayFiles(D1)).hasSize(1);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(160);
    assertThat(p.catalog.processedDay(D1).orElseThrow().rowsWritten()).isEqualTo(160);
    // the crashed run's upload and the replaced file go with maintenance after the retention
    p.table().iceberg().maintain(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2)));
    assertThat(p.processed.listAll(DATA_D1)).hasSize(1);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(160);
  }

  @Test
  void aDayInBothBucketsIsProcessedFromBothWithoutDuplicates() throws Exception {
    new CdrGenerator(p.cdr).generate(D1, 100, 2, 1, 0, null);
    List<ObjectInfo> originals = p.cdr.listAll(RawLayout.ROOT);
    for (ObjectInfo o : originals.subList(0, 40)) { // 40 of them were also kept in the old bucket
      p.additional.put(o.key(), p.cdr.read(o.key()));
    }
    new CdrGenerator(p.additional).generate(D1, 30, 1, 2, 0, null); // and 30 only there
    new CdrGenerator(p.additional).generate(D2, 20, 1, 3, 0, null); // an older-bucket-only day
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, true);
    p.crawler().crawlRaw(p.additional, ProcessedSchema.SOURCE_ADDITIONAL, true);
    EtlSummary s = p.etl().runFull(8, false);
    assertThat(s.daysProcessed()).isEqualTo(2);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 1")).isEqualTo(130);
    assertThat(
            p.count(
                "SELECT count(*) FROM (SELECT DISTINCT transactionid, callid FROM processed_cdrs)"))
        .isEqualTo(150);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 2")).isEqualTo(20);
    assertThat(
            p.count("SELECT count(*) FROM processed_cdrs WHERE source_key LIKE 's3://old-cdrs-%'"))
        .isEqualTo(50);
    // the copy in the CDR bucket wins
    assertThat(
            p.count(
                "SELECT count(*) FROM processed_cdrs WHERE day = 1 AND source_key NOT LIKE 's3://%'"))
        .isEqualTo(100);
  }

  private List<Path> cachedParquet() throws Exception {
    Path cache = tmp.resolve("data/state/cache");
    if (!Files.exists(cache)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(cache)) {
      return s.filter(f -> f.toString().endsWith(".parquet")).toList();
    }
  }
}
