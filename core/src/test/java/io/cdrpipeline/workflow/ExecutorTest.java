package io.cdrpipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.WebhookReceiver;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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

/** The executor's durable state machine on a real catalog database, with a real webhook subscriber. */
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
    Topic topic = Topic.of(List.of(new Subscription.Webhook(hook.url(), Optional.empty(), "X-Cdr-Secret")),
        new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)));
    return new Executor(store, Workflows.definitions(actions, topic, timeouts, Duration.ofHours(1), Clock.systemUTC()),
        topic, Clock.systemUTC(), new Executor.Settings(Duration.ofMillis(50), Duration.ofSeconds(30), attempts, Duration.ofMillis(5)));
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
    assertThat(actions.calls).containsExactly("crawl-raw", "etl", "crawl-processed");
    assertThat(end.output().orElseThrow().get("Date").asText()).isEqualTo("2026-11-27");
    assertThat(types(end.id())).containsExactly(
        ExecutionEvent.Type.EXECUTION_STARTED,
        ExecutionEvent.Type.STEP_STARTED, ExecutionEvent.Type.STEP_SUCCEEDED,
        ExecutionEvent.Type.STEP_STARTED, ExecutionEvent.Type.STEP_SUCCEEDED,
        ExecutionEvent.Type.STEP_STARTED, ExecutionEvent.Type.STEP_SUCCEEDED,
        ExecutionEvent.Type.STEP_STARTED, ExecutionEvent.Type.NOTIFICATION_SENT, ExecutionEvent.Type.STEP_SUCCEEDED,
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
        .isEqualTo(java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString());
    Execution r = executor.start(Workflows.REPORT, null, "test", true);
    assertThat(r.input().get("Month").asText())
        .isEqualTo(java.time.YearMonth.now(java.time.ZoneOffset.UTC).minusMonths(1).toString());
    assertThatThrownBy(() -> executor.start(Workflows.DAILY, Workflows.input("Date", "yesterday"), "test", true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yesterday");
  }

  @ParameterizedTest(name = "{0} fails in step {1}")
  @CsvSource({"daily, crawl-raw", "daily, etl", "daily, crawl-processed", "full, crawl-raw", "full, etl",
      "full, crawl-processed", "report, query", "report, link"})
  void aFailureInAnyStepEndsFailedAndSendsTheErrorNotification(String workflow, String step) throws Exception {
    actions.then(step, new StepFailure("disk on fire"));
    Execution e = executor.start(workflow, null, "test", true);
    Execution end = executor.run(e.id(), null);
    assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(end.error()).contains("disk on fire");
    assertThat(actions.calls).last().isEqualTo(step);
    List<ExecutionEvent> events = store.events(end.id());
    assertThat(events).filteredOn(ev -> ev.type() == ExecutionEvent.Type.STEP_FAILED)
        .singleElement().satisfies(ev -> assertThat(ev.step()).contains(step));
    assertThat(events.get(events.size() - 1).type()).isEqualTo(ExecutionEvent.Type.EXECUTION_FAILED);
    List<JsonNode> got = hook.await(1, 5000);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).get("subject").asText()).isEqualTo("Error Processing CDRs");
    assertThat(got.get(0).get("message").asText()).isEqualTo("Error Processing CDRs: disk on fire");
    assertThat(got.get(0).get("status").asText()).isEqualTo("FAILED");
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
    assertThat(actions.calls).containsExactly("crawl-raw", "etl", "etl", "etl", "crawl-processed");
    assertThat(store.events(end.id())).filteredOn(ev -> ev.type() == ExecutionEvent.Type.STEP_RETRIED)
        .extracting(ev -> ev.detail().orElse(""))
        .satisfiesExactly(d -> assertThat(d).contains("attempt 1").contains("5 ms"),
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
    Execution first = executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    assertThatThrownBy(() -> executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true))
        .isInstanceOf(AlreadyRunningException.class)
        .hasMessageContaining(first.id())
        .satisfies(e -> assertThat(((AlreadyRunningException) e).executionId()).isEqualTo(first.id()));
    Execution other = executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-26"), "test", true);
    assertThat(other.id()).isNotEqualTo(first.id());
    executor.run(first.id(), null);
    // once ended, the same input may run again
    Execution again = executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    assertThat(executor.run(again.id(), null).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void aStepTimeoutFailsAndTheExecutionTimeoutTimesOut() throws Exception {
    executor.close();
    executor = executor(new Workflows.Timeouts(Duration.ofMillis(300), Duration.ofHours(1), Duration.ofHours(1)), 3);
    actions.then("etl", "block");
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
    assertThat(end.error()).hasValueSatisfying(e -> assertThat(e).contains("timed out"));
    assertThat(hook.await(1, 5000).get(0).get("status").asText()).isEqualTo("TIMED_OUT");
  }

  @Test
  void stopEndsARunningExecutionAborted() throws Exception {
    actions.then("etl", "block");
    Execution e = executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
    Future<Execution> running = Executors.newSingleThreadExecutor().submit(() -> executor.run(e.id(), null));
    assertThat(actions.blocked.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.stop(e.id())).isTrue();
    Execution end = running.get(10, TimeUnit.SECONDS);
    assertThat(end.status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(types(end.id())).last().isEqualTo(ExecutionEvent.Type.EXECUTION_ABORTED);
    assertThat(actions.calls).doesNotContain("crawl-processed");
  }

  @Test
  void anOrphanedExecutionResumesAtItsUnfinishedStepOnce() {
    Execution e = executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", false);
    // a run that died after its first step, owned by a process that no longer exists
    store.claim(e.id(), null, "localhost-gone:999999999:dead", java.time.Instant.now().minusSeconds(3600));
    store.advance(e.id(), 1, (com.fasterxml.jackson.databind.node.ObjectNode) ScriptedActions.JSON.createObjectNode()
        .set("crawl-raw", ScriptedActions.JSON.createObjectNode().put("step", "crawl-raw")));
    Execution stale = store.get(e.id()).orElseThrow();
    assertThat(executor.isOrphaned(stale)).isTrue();
    assertThat(executor.claim(stale)).isTrue();
    assertThat(executor.claim(stale)).isFalse(); // the owner changed: a second claimer loses
    Execution end = executor.run(e.id(), null);
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(actions.calls).containsExactly("etl", "crawl-processed");
    assertThat(types(end.id())).contains(ExecutionEvent.Type.EXECUTION_RESUMED);
    assertThat(types(end.id())).filteredOn(t -> t == ExecutionEvent.Type.EXECUTION_SUCCEEDED).hasSize(1);
  }

  @Test
  void aFailedNotificationIsRecordedButNeverFailsTheWorkflow() throws Exception {
    executor.close();
    hook.close();
    executor = executor(Workflows.Timeouts.defaults(), 3); // the webhook now points at a closed port
    Execution end = runDaily("2026-11-27");
    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(store.events(end.id())).filteredOn(ev -> ev.type() == ExecutionEvent.Type.NOTIFICATION_FAILED)
        .singleElement().satisfies(ev -> assertThat(ev.detail().orElse("")).contains("after 2 attempts"));
  }
}
