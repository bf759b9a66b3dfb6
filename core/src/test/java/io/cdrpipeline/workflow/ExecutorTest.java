package io.cdrpipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.CatalogException;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The executor's durable state machine on a real catalog database, with a real webhook subscriber.
 */
class ExecutorTest {
  @TempDir Path tmp;
  WebhookReceiver hook;
  ScriptedActions actions;
  Executor executor;
  ExecutionStore store;

  @BeforeEach
  void setUp() throws IOException {
    hook = new WebhookReceiver();
    actions = new ScriptedActions();
    executor = executor(Workflows.Timeouts.defaults(), 3);
  }

  Executor executor(Workflows.Timeouts timeouts, int attempts) {
    Pipeline p = new Pipeline(tmp);
    store = new ExecutionStore(p.catalog);
    Topic topic =
        Topic.of(
            List.of(new Subscription.Webhook(hook.url(), Optional.empty(), "X-Cdr-Secret")),
            new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)));
    return new Executor(
        store,
        Workflows.definitions(actions, topic, timeouts, Duration.ofHours(1), Clock.systemUTC()),
        topic,
        Clock.systemUTC(),
        new Executor.Settings(
            Duration.ofMillis(50), Duration.ofSeconds(30), attempts, Duration.ofMillis(5)));
  }

  @AfterEach
  void tearDown() {
    executor.close();
    hook.close();
  }

  Execution runDaily(String date) {
    Execution e = executor.start(Workflows.DAILY, Workflows.input("Date", date), "test", true);
    return executor.run(e.id(), null);
  }

  List<ExecutionEvent.Type> types(String id) {
    return store.events(id).stream().map(ExecutionEvent::type).collect(Collectors.toList());
  }

  @Test
  void aDailyRunGoesThroughEveryStepAndNotifiesCompletion() throws Exception {
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(actions.calls)
        .containsExactly("crawl-raw", "etl", "crawl-processed", "maintain-table");
    assertThat(end.output().orElseThrow().get("Date").asText()).isEqualTo("2026-11-27");
    assertThat(types(end.id()))
        .containsExactly(
            ExecutionEvent.Type.EXECUTION_STARTED,
            ExecutionEvent.Type.STEP_STARTED,
            ExecutionEvent.Type.STEP_SUCCEEDED,
            ExecutionEvent.Type.STEP_STARTED,
            ExecutionEvent.Type.STEP_SUCCEEDED,
            ExecutionEvent.Type.STEP_STARTED,
            ExecutionEvent.Type.STEP_SUCCEEDED,
            ExecutionEvent.Type.STEP_STARTED,
            ExecutionEvent.Type.STEP_SUCCEEDED,
            ExecutionEvent.Type.STEP_STARTED, // alarms
            ExecutionEvent.Type.STEP_SUCCEEDED,
            ExecutionEvent.Type.STEP_STARTED,
            ExecutionEvent.Type.NOTIFICATION_SENT,
            ExecutionEvent.Type.STEP_SUCCEEDED,
            ExecutionEvent.Type.EXECUTION_SUCCEEDED);
    List<JsonNode> got = hook.await(1, 5000);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).get("subject").asText()).isEqualTo("Processing CDRs Complete");
    assertThat(got.get(0).get("message").asText()).isEqualTo("CDR Processing Complete: 2026-11-27");
    assertThat(got.get(0).get("executionId").asText()).isEqualTo(end.id());
    assertThat(store.get(end.id()).orElseThrow().endedAt()).isPresent();
  }

  @Test
  void theDefaultInputsAreYesterdayAndLastMonth() {
    Execution d = executor.start(Workflows.DAILY, null, "test", true);
    assertThat(d.input().get("Date").asText())
        .isEqualTo(LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
    Execution r = executor.start(Workflows.REPORT, null, "test", true);
    assertThat(r.input().get("Month").asText())
        .isEqualTo(YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString());
    assertThatThrownBy(
            () ->
                executor.start(Workflows.DAILY, Workflows.input("Date", "yesterday"), "test", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("yesterday");
  }

  @ParameterizedTest(name = "{0} fails in step {1}")
  @CsvSource({
    "daily, crawl-raw",
    "daily, etl",
    "daily, crawl-processed",
    "daily, maintain-table",
    "full, crawl-raw",
    "full, etl",
    "full, crawl-processed",
    "report, query",
    "report, link"
  })
  void aFailureInAnyStepEndsFailedAndSendsTheErrorNotification(String workflow, String step)
      throws Exception {
    actions.then(step, new StepFailure("disk on fire"));
    Execution e = executor.start(workflow, null, "test", true);
    Execution end = executor.run(e.id(), null);
    assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(end.error()).contains("disk on fire");
    assertThat(actions.calls).last().isEqualTo(step);
    List<ExecutionEvent> events = store.events(end.id());
    assertThat(events)
        .filteredOn(ev -> ev.type() == ExecutionEvent.Type.STEP_FAILED)
        .singleElement()
        .satisfies(ev -> assertThat(ev.step()).contains(step));
    assertThat(events.get(events.size() - 1).type())
        .isEqualTo(ExecutionEvent.Type.EXECUTION_FAILED);
    List<JsonNode> got = hook.await(1, 5000);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).get("subject").asText()).isEqualTo("Error Processing CDRs");
    assertThat(got.get(0).get("message").asText()).isEqualTo("Error Processing CDRs: disk on fire");
    assertThat(got.get(0).get("status").asText()).isEqualTo("FAILED");
  }

  @Test
  void aFailedExecutionSendsTheFailureNoticeItsWorkflowDefines() throws Exception {
    Topic topic =
        Topic.of(
            List.of(new Subscription.Webhook(hook.url(), Optional.empty(), "X-Cdr-Secret")),
            new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)));
    WorkflowDefinition own =
        new WorkflowDefinition(
            "own",
            List.of(
                new Step(
                    "only",
                    Duration.ofMinutes(1),
                    c -> {
                      throw new StepFailure("the well ran dry");
                    })),
            Duration.ofMinutes(5),
            in -> in,
            in -> "own",
            state -> state,
            reason ->
                new WorkflowDefinition.Notice("Own trouble", "own step failed because " + reason));
    try (Executor other =
        new Executor(
            store,
            Map.of("own", own),
            topic,
            Clock.systemUTC(),
            new Executor.Settings(
                Duration.ofMillis(50), Duration.ofSeconds(30), 3, Duration.ofMillis(5)))) {
      Execution end = other.run(other.start("own", null, "test", true).id(), null);
      assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
      List<JsonNode> got = hook.await(1, 5000);
      assertThat(got).hasSize(1);
      assertThat(got.get(0).get("subject").asText()).isEqualTo("Own trouble");
      assertThat(got.get(0).get("message").asText())
          .isEqualTo("own step failed because the well ran dry");
      assertThat(got.get(0).get("workflow").asText()).isEqualTo("own");
      assertThat(got.get(0).get("status").asText()).isEqualTo("FAILED");
      assertThat(types(end.id())).contains(ExecutionEvent.Type.NOTIFICATION_SENT);
    }
  }

  @Test
  void aMissingBucketIsNotRetried() {
    actions.then("crawl-raw", new NoSuchFileException("/nope"));
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(actions.calls).containsExactly("crawl-raw");
  }

  @Test
  void transientErrorsAreRetriedWithBackoff() {
    actions.then("etl", new IOException("connection reset"), new IOException("connection reset"));
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(actions.calls)
        .containsExactly("crawl-raw", "etl", "etl", "etl", "crawl-processed", "maintain-table");
    assertThat(store.events(end.id()))
        .filteredOn(ev -> ev.type() == ExecutionEvent.Type.STEP_RETRIED)
        .extracting(ev -> ev.detail().orElse(""))
        .satisfiesExactly(
            d -> assertThat(d).contains("attempt 1").contains("5 ms"),
            d -> assertThat(d).contains("attempt 2").contains("10 ms"));
  }

  @Test
  void retriesEndAfterTheLastAttempt() {
    actions.then("etl", new IOException("a"), new IOException("b"), new IOException("c"));
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(end.error()).contains("c");
  }

  @Test
  void theSameInputIsNotStartedTwice() {
    Execution first =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    assertThatThrownBy(
            () ->
                executor.start(
                    Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true))
        .isInstanceOf(AlreadyRunningException.class)
        .hasMessageContaining(first.id())
        .satisfies(
            e -> assertThat(((AlreadyRunningException) e).executionId()).isEqualTo(first.id()));
    Execution other =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-26"), "test", true);
    assertThat(other.id()).isNotEqualTo(first.id());
    executor.run(first.id(), null);
    // once ended, the same input may run again
    Execution again =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    assertThat(executor.run(again.id(), null).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void aStepTimeoutFailsAndTheExecutionTimeoutTimesOut() throws Exception {
    executor.close();
    executor =
        executor(
            new Workflows.Timeouts(
                Duration.ofMillis(300), Duration.ofHours(1), Duration.ofHours(1)),
            3);
    actions.then("etl", "block");
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
    assertThat(end.error()).hasValueSatisfying(e -> assertThat(e).contains("timed out"));
    assertThat(hook.await(1, 5000).get(0).get("status").asText()).isEqualTo("TIMED_OUT");
  }

  @Test
  void stopEndsARunningExecutionAborted() throws Exception {
    actions.then("etl", "block");
    Execution e =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    Future<Execution> running =
        Executors.newSingleThreadExecutor().submit(() -> executor.run(e.id(), null));
    assertThat(actions.blocked.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.stop(e.id())).isTrue();
    Execution end = running.get(10, TimeUnit.SECONDS);
    assertThat(end.status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(types(end.id())).last().isEqualTo(ExecutionEvent.Type.EXECUTION_ABORTED);
    assertThat(actions.calls).doesNotContain("crawl-processed");
  }

  /**
   * Makes an execution look like one a process on another host ran up to {@code nextStep}, then
   * stopped heartbeating.
   */
  void abandonedElsewhere(String id, int nextStep, String notifiedBy) {
    ObjectNode state = ScriptedActions.JSON.createObjectNode();
    for (Step s : executor.workflow(Workflows.DAILY).steps().subList(0, nextStep)) {
      state.set(s.name(), ScriptedActions.JSON.createObjectNode().put("step", s.name()));
    }
    store
        .catalog()
        .run(
            "UPDATE executions SET owner = ?, heartbeat_at = ?, next_step = ?, state = ?, notified_by = ? "
                + "WHERE id = ?",
            "elsewhere:999999999:dead",
            Instant.now().minusSeconds(3600).toString(),
            nextStep,
            state.toString(),
            notifiedBy,
            id);
  }

  @Test
  void anOrphanedExecutionResumesAtItsUnfinishedStepOnce() {
    Execution e =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", false);
    abandonedElsewhere(e.id(), 1, null); // died after its first step
    Execution stale = store.get(e.id()).orElseThrow();
    assertThat(executor.isOrphaned(stale)).isTrue();
    assertThat(executor.claim(stale)).isTrue();
    assertThat(executor.claim(stale)).isFalse(); // the owner changed: a second claimer loses
    Execution end = executor.run(e.id(), null);
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(actions.calls).containsExactly("etl", "crawl-processed", "maintain-table");
    assertThat(types(end.id())).contains(ExecutionEvent.Type.EXECUTION_RESUMED);
    assertThat(types(end.id()))
        .filteredOn(t -> t == ExecutionEvent.Type.EXECUTION_SUCCEEDED)
        .hasSize(1);
  }

  @Test
  void aNotificationClaimedByAnEarlierOwnerIsNotSentAgainByTheOneThatResumes() throws Exception {
    Execution e =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", false);
    // its owner claimed the notification in the notify step, and may have sent it, then stopped
    abandonedElsewhere(e.id(), 3, "elsewhere:999999999:dead");
    assertThat(executor.claim(store.get(e.id()).orElseThrow())).isTrue();
    Execution end = executor.run(e.id(), null);
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(hook.received)
        .isEmpty(); // publishing is synchronous: a send would have arrived by now
    assertThat(store.events(e.id()))
        .filteredOn(ev -> ev.type() == ExecutionEvent.Type.NOTIFICATION_SKIPPED)
        .singleElement()
        .satisfies(ev -> assertThat(ev.detail().orElse("")).contains("elsewhere:999999999:dead"));

    // the failure notification is the same one: a failing resumed run does not send it either
    Execution f =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-28"), "test", false);
    abandonedElsewhere(f.id(), 1, "elsewhere:999999999:dead");
    actions.then("etl", new StepFailure("disk on fire"));
    assertThat(executor.claim(store.get(f.id()).orElseThrow())).isTrue();
    assertThat(executor.run(f.id(), null).status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(hook.received).isEmpty();
  }

  @ParameterizedTest(name = "the step then {0}")
  @ValueSource(strings = {"succeeds", "fails"})
  void aRunWhoseExecutionWasTakenOverStopsWithoutWritingOrNotifying(String outcome)
      throws Exception {
    if (outcome.equals("fails")) {
      actions.then("etl", "wait", new StepFailure("disk on fire"));
    } else {
      actions.then("etl", "wait");
    }
    Execution e =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    Future<Execution> running =
        Executors.newSingleThreadExecutor().submit(() -> executor.run(e.id(), null));
    assertThat(actions.waiting.await(10, TimeUnit.SECONDS)).isTrue();
    // another process took it over (this one was frozen past its lease) and finished the etl step
    store
        .catalog()
        .run(
            "UPDATE executions SET owner = ?, next_step = 2 WHERE id = ?",
            "elsewhere:1:taker",
            e.id());
    List<ExecutionEvent> before = store.events(e.id());
    actions.release.countDown(); // the step ends late: nothing of it may be recorded, nothing sent
    Execution end = running.get(10, TimeUnit.SECONDS);
    assertThat(end.status()).isEqualTo(ExecutionStatus.RUNNING);
    assertThat(end.owner()).contains("elsewhere:1:taker");
    assertThat(end.nextStep()).isEqualTo(2);
    assertThat(store.events(e.id())).isEqualTo(before);
    assertThat(actions.calls).doesNotContain("crawl-processed");
    assertThat(hook.received).isEmpty();
  }

  @Test
  void anInterruptedRunEndsAbortedWithTheReasonAndTheDayCanRunAgain() throws Exception {
    actions.then("etl", "block");
    Execution e =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    Future<Execution> running =
        Executors.newSingleThreadExecutor().submit(() -> executor.run(e.id(), null));
    assertThat(actions.blocked.await(10, TimeUnit.SECONDS)).isTrue();
    Execution now = executor.interrupt(e.id(), "interrupted by a signal", Duration.ofSeconds(10));
    assertThat(now.status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(now.error()).contains("interrupted by a signal");
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(store.events(e.id()))
        .last()
        .satisfies(
            ev -> {
              assertThat(ev.type()).isEqualTo(ExecutionEvent.Type.EXECUTION_ABORTED);
              assertThat(ev.step()).contains("etl");
            });
    assertThat(runDaily("2026-11-27").status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void aHandedOverExecutionIsResumedAtOnceByTheNextProcess() throws Exception {
    actions.then("etl", "block");
    Execution e =
        executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    Future<Execution> running =
        Executors.newSingleThreadExecutor().submit(() -> executor.run(e.id(), null));
    assertThat(actions.blocked.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.handOverAll("service stopping", Duration.ofSeconds(10)))
        .containsExactly(e.id());
    Execution given = running.get(10, TimeUnit.SECONDS);
    assertThat(given.status()).isEqualTo(ExecutionStatus.RUNNING);
    assertThat(given.owner()).isEmpty();
    assertThat(given.nextStep()).isEqualTo(1);
    assertThat(types(e.id())).last().isEqualTo(ExecutionEvent.Type.EXECUTION_HANDED_OVER);

    try (Executor next =
        executor(
            Workflows.Timeouts.defaults(), 3)) { // the next process, with the default 30 s lease
      assertThat(next.orphans()).extracting(Execution::id).containsExactly(e.id());
      assertThat(next.claim(given)).isTrue();
      assertThat(next.run(e.id(), null).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }
    assertThat(actions.calls)
        .containsExactly("crawl-raw", "etl", "etl", "crawl-processed", "maintain-table");
  }

  @Test
  void theInputTakesOnlyItsOwnKeysWrittenExactly() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThatThrownBy(
            () ->
                executor.start(
                    Workflows.DAILY,
                    (ObjectNode) json.readTree("{\"date\":\"2026-11-30\"}"),
                    "test",
                    true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "input of daily: unknown key \"date\" (did you mean \"Date\"? keys are case-sensitive); allowed keys: Date, Force");
    assertThatThrownBy(
            () ->
                executor.start(
                    Workflows.REPORT,
                    (ObjectNode) json.readTree("{\"Month\":\"2026-10\",\"Year\":2026}"),
                    "test",
                    true))
        .hasMessage("input of report: unknown key \"Year\"; allowed keys: Month");
    assertThatThrownBy(
            () ->
                executor.start(
                    Workflows.FULL,
                    (ObjectNode) json.readTree("{\"Date\":\"2026-11-30\"}"),
                    "test",
                    true))
        .hasMessage("input of full: unknown key \"Date\"; allowed keys: Force");
    assertThatThrownBy(
            () ->
                executor.start(
                    Workflows.DAILY, (ObjectNode) json.readTree("{\"Da\\nte\":1}"), "test", true))
        .hasMessageContaining("unknown key \"Da\\nte\"")
        .satisfies(x -> assertThat(x.getMessage()).doesNotContain("\n"));
    for (String bad : List.of("null", "20261130", "\"\"", "\" \"", "[\"2026-11-30\"]", "{}")) {
      assertThatThrownBy(
              () ->
                  executor.start(
                      Workflows.DAILY,
                      (ObjectNode) json.readTree("{\"Date\":" + bad + "}"),
                      "test",
                      true))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("input Date: expected a date (YYYY-MM-DD) as a string");
    }
    assertThatThrownBy(
            () ->
                executor.start(
                    Workflows.REPORT, (ObjectNode) json.readTree("{\"Month\":null}"), "test", true))
        .hasMessageStartingWith("input Month: expected a month (YYYY-MM) as a string");
    assertThat(store.list(Optional.empty(), Optional.empty(), 10)).isEmpty(); // nothing was started
    assertThat(executor.start(Workflows.FULL, json.createObjectNode(), "test", true).input())
        .isEmpty();
  }

  @Test
  void transientErrorsAreToldByTheirTypesAndCodesNeverByTheirText() {
    S3Exception throttled =
        (S3Exception)
            S3Exception.builder()
                .statusCode(503)
                .message("Slow Down")
                .awsErrorDetails(
                    AwsErrorDetails.builder()
                        .errorCode("SlowDown")
                        .errorMessage("Slow Down")
                        .build())
                .build();
    // an S3 error was retried by the SDK already: the step does not retry it again, whatever it
    // says
    assertThat(throttled.getMessage()).contains("Status Code: 503");
    assertThat(
            TransientErrors.isTransient(
                new IOException("s3://b/k: " + throttled.getMessage(), throttled)))
        .isFalse();
    assertThat(
            TransientErrors.isTransient(
                new UncheckedIOException(
                    new IOException(
                        "x",
                        SdkClientException.create(
                            "Unable to execute HTTP request: Connection reset")))))
        .isFalse();
    // the catalog database's own signals
    assertThat(
            TransientErrors.isTransient(
                new CatalogException(
                    "catalog update failed",
                    new SQLiteException(
                        "[SQLITE_BUSY] The database file is locked", SQLiteErrorCode.SQLITE_BUSY))))
        .isTrue();
    assertThat(
            TransientErrors.isTransient(
                new CatalogException(
                    "x",
                    new SQLiteException(
                        "[SQLITE_BUSY_SNAPSHOT]", SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT))))
        .isTrue();
    assertThat(
            TransientErrors.isTransient(
                new CatalogException(
                    "x",
                    new SQLiteException(
                        "[SQLITE_CONSTRAINT] busy", SQLiteErrorCode.SQLITE_CONSTRAINT))))
        .isFalse();
    assertThat(
            TransientErrors.isTransient(
                new CatalogException("x", new SQLException("could not serialize access", "40001"))))
        .isTrue();
    assertThat(
            TransientErrors.isTransient(
                new CatalogException("x", new SQLException("connection refused", "08001"))))
        .isTrue();
    assertThat(
            TransientErrors.isTransient(
                new CatalogException("x", new SQLException("syntax error at or near", "42601"))))
        .isFalse();
    assertThat(
            TransientErrors.isTransient(
                new CatalogException("x", new SQLTransientConnectionException("gone"))))
        .isTrue();
    // text means nothing
    assertThat(
            TransientErrors.isTransient(
                new IllegalStateException(
                    "Status Code: 503 Throttling Unable to execute HTTP request")))
        .isFalse();
    assertThat(TransientErrors.isTransient(new IOException("connection reset"))).isTrue();
    assertThat(
            TransientErrors.isTransient(new UncheckedIOException(new NoSuchFileException("/nope"))))
        .isFalse();
  }

  @Test
  void aFailedNotificationIsRecordedButNeverFailsTheWorkflow() throws Exception {
    executor.close();
    hook.close();
    executor =
        executor(Workflows.Timeouts.defaults(), 3); // the webhook now points at a closed port
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(store.events(end.id()))
        .filteredOn(ev -> ev.type() == ExecutionEvent.Type.NOTIFICATION_FAILED)
        .singleElement()
        .satisfies(ev -> assertThat(ev.detail().orElse("")).contains("after 2 attempts"));
  }
}
