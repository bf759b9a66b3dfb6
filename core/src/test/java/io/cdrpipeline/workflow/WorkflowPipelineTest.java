package io.cdrpipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.report.SignedServerLinks;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.WebhookReceiver;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workflows on the real embedded pipeline, notifying a real webhook. */
class WorkflowPipelineTest {
  static final LocalDate DAY = LocalDate.of(2026, 10, 14);

  @TempDir Path tmp;
  WebhookReceiver hook;
  Pipeline p;
  Executor executor;
  LinkSigner signer;
  LocalStore reports;

  @BeforeEach
  void setUp() throws Exception {
    hook = new WebhookReceiver();
    p = new Pipeline(tmp);
    signer = LinkSigner.fromStateDir(p.config.stateDir());
    reports = new LocalStore(tmp.resolve("data/reports"));
    Topic topic =
        Topic.of(
            List.of(new Subscription.Webhook(hook.url(), Optional.of("s3cret"), "X-Cdr-Secret")),
            new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)));
    LocalPipelineActions actions =
        new LocalPipelineActions(
            new LocalPipelineActions.Parts(
                p::crawler,
                List.of(new RawSource(ProcessedSchema.SOURCE_CDR, p.cdr, "")),
                p::table,
                p::etl,
                p::query,
                reports,
                new SignedServerLinks("http://localhost:8080", signer, Clock.systemUTC()),
                2,
                2,
                Duration.ofDays(1)));
    executor =
        new Executor(
            new ExecutionStore(p.catalog),
            Workflows.definitions(
                actions,
                topic,
                Workflows.Timeouts.defaults(),
                Duration.ofHours(1),
                Clock.systemUTC()),
            topic,
            Clock.systemUTC(),
            new Executor.Settings(
                Duration.ofMillis(200), Duration.ofSeconds(30), 2, Duration.ofMillis(5)));
  }

  @AfterEach
  void tearDown() {
    executor.close();
    hook.close();
  }

  Execution run(String workflow, String field, String value) {
    Execution e = executor.start(workflow, Workflows.input(field, value), "test", true);
    return executor.run(e.id(), null);
  }

  @Test
  void theDailyWorkflowCrawlsProcessesAndNotifies() throws Exception {
    new CdrGenerator(p.cdr).generate(DAY, 120, 2, 3, 2, null);
    Execution end = run(Workflows.DAILY, "Date", DAY.toString());
    assertThat(end.status()).as(end.error().orElse("")).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(end.output().orElseThrow().get("rowsWritten").asLong()).isEqualTo(120);
    assertThat(end.output().orElseThrow().get("rejected").asLong()).isEqualTo(2);
    assertThat(
            p.count(
                "SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 10 AND day = 14"))
        .isEqualTo(120);
    assertThat(p.catalog.partitions(ProcessedSchema.RAW_TABLE)).hasSize(2);
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE)).hasSize(1);
    JsonNode n = hook.await(1, 5000).get(0);
    assertThat(n.get("subject").asText()).isEqualTo("Processing CDRs Complete");
    assertThat(n.get("message").asText()).isEqualTo("CDR Processing Complete: 2026-10-14");

    // the same day again: replaced, not duplicated
    assertThat(run(Workflows.DAILY, "Date", DAY.toString()).status())
        .isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(120);
  }

  @Test
  void aMissingCdrBucketFailsTheDailyWorkflowWithAnErrorNotification() throws Exception {
    Execution end = run(Workflows.DAILY, "Date", DAY.toString());
    assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(end.error()).hasValueSatisfying(e -> assertThat(e).contains("cdr-bucket"));
    JsonNode n = hook.await(1, 5000).get(0);
    assertThat(n.get("subject").asText()).isEqualTo("Error Processing CDRs");
    assertThat(n.get("message").asText())
        .startsWith("Error Processing CDRs: ")
        .contains("cdr-bucket");
  }

  @Test
  void aDayWithoutRawFilesFailsTheDailyWorkflowAndCommitsNothing() throws Exception {
    Files.createDirectories(p.cdrRoot());
    new CdrGenerator(p.cdr).generate(DAY.minusDays(1), 10, 1, 3, 0, null);
    Execution end = run(Workflows.DAILY, "Date", DAY.toString());
    assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(end.error())
        .contains(
            "ETL of "
                + DAY
                + " refused: no raw CDR files for "
                + DAY
                + " in "
                + p.cdrRoot()
                + ": nothing processed, nothing recorded");
    assertThat(p.catalog.processedDay(DAY)).isEmpty();
    assertThat(p.table().iceberg().refresh().currentSnapshotId()).isEmpty();
    JsonNode n = hook.await(1, 5000).get(0);
    assertThat(n.get("subject").asText()).isEqualTo("Error Processing CDRs");
  }

  @org.junit.jupiter.api.extension.RegisterExtension
  static final com.icegreen.greenmail.junit5.GreenMailExtension SMTP =
      new com.icegreen.greenmail.junit5.GreenMailExtension(
          com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort());

  @Test
  void theReportLinkArrivesByEmailAndAFailureToo() throws Exception {
    executor.close();
    Topic topic =
        Topic.of(
            List.of(
                new Subscription.Email(
                    "127.0.0.1",
                    SMTP.getSmtp().getPort(),
                    Subscription.Tls.NONE,
                    Optional.empty(),
                    Optional.empty(),
                    "cdr@example.com",
                    List.of("ops@example.com"))),
            new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)));
    LocalPipelineActions actions =
        new LocalPipelineActions(
            new LocalPipelineActions.Parts(
                p::crawler,
                List.of(new RawSource(ProcessedSchema.SOURCE_CDR, p.cdr, "")),
                p::table,
                p::etl,
                p::query,
                reports,
                new SignedServerLinks("http://localhost:8080", signer, Clock.systemUTC()),
                2,
                2,
                Duration.ofDays(1)));
    executor =
        new Executor(
            new ExecutionStore(p.catalog),
            Workflows.definitions(
                actions,
                topic,
                Workflows.Timeouts.defaults(),
                Duration.ofHours(1),
                Clock.systemUTC()),
            topic,
            Clock.systemUTC(),
            new Executor.Settings(
                Duration.ofMillis(200), Duration.ofSeconds(30), 2, Duration.ofMillis(5)));
    new CdrGenerator(p.cdr).generate(DAY, 50, 2, 4, 0, null);
    p.etl().runDay(DAY, 2);
    Execution end = run(Workflows.REPORT, "Month", "2026-10");
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    String link = end.output().orElseThrow().get("link").asText();
    jakarta.mail.internet.MimeMessage[] mails = SMTP.getReceivedMessages();
    assertThat(mails).hasSize(1);
    assertThat(mails[0].getSubject()).isEqualTo("Processing CDRs Complete");
    assertThat((String) mails[0].getContent()).contains(link).contains(end.id());

    // the CDR bucket disappears: the daily run fails and says so by email
    try (var paths = Files.walk(p.cdrRoot())) {
      paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    Execution failed = run(Workflows.DAILY, "Date", "2026-10-15");
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    mails = SMTP.getReceivedMessages();
    assertThat(mails).hasSize(2);
    assertThat(mails[1].getSubject()).isEqualTo("Error Processing CDRs");
    assertThat((String) mails[1].getContent())
        .startsWith("Error Processing CDRs: ")
        .contains("bucket folder does not exist");
  }

  @Test
  void theReportWorkflowWritesTheCsvAndNotifiesASignedLink() throws Exception {
    new CdrGenerator(p.cdr).generate(DAY, 80, 2, 4, 0, null);
    p.etl().runDay(DAY, 2);
    Execution end = run(Workflows.REPORT, "Month", "2026-10");
    assertThat(end.status()).as(end.error().orElse("")).isEqualTo(ExecutionStatus.SUCCEEDED);
    String link = end.output().orElseThrow().get("link").asText();
    assertThat(link).startsWith("http://localhost:8080/reports/2026-10/npanxx.csv?");
    URI u = URI.create(link);
    String query = u.getRawQuery();
    String expires = query.replaceAll(".*expires=([^&]*).*", "$1");
    String signature = query.replaceAll(".*signature=([^&]*).*", "$1");
    assertThat(signer.verify(u.getRawPath(), expires, signature, Instant.now()))
        .isEqualTo(LinkSigner.Verdict.VALID);
    assertThat(
            signer.verify(
                u.getRawPath(), expires, signature, Instant.now().plus(Duration.ofHours(2))))
        .isEqualTo(LinkSigner.Verdict.EXPIRED);
    assertThat(Files.readString(tmp.resolve("data/reports/reports/2026-10/npanxx.csv")))
        .startsWith("npanxx,TotalDuration,CallCount");
    JsonNode n = hook.await(1, 5000).get(0);
    assertThat(n.get("subject").asText()).isEqualTo("Processing CDRs Complete");
    assertThat(n.get("message").asText()).contains(link);
    assertThat(n.get("link").asText()).isEqualTo(link);
  }
}
