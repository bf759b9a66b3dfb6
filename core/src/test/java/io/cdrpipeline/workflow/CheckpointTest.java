package io.cdrpipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step that starts work outside its process (as the etl step on Spark submits an application):
 * its checkpoint survives the process, and a cancelled attempt is waited for while it stops, or
 * leaves, that work.
 */
class CheckpointTest {
  @TempDir Path tmp;
  WebhookReceiver hook;
  ExecutionStore store;
  final Outside outside = new Outside();

  /**
   * The etl step of this test: "submits" outside work, saves it, and waits for it until
   * interrupted.
   */
  static final class Outside extends ForwardingActions {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final CountDownLatch submitted = new CountDownLatch(1);
    volatile boolean cleanedUp;

    Outside() {
      super(new ScriptedActions());
    }

    @Override
    public ObjectNode etlDay(LocalDate day, boolean force, StepContext step) throws Exception {
      Optional<ObjectNode> last = step.checkpoint().last();
      ObjectNode out = ExecutionStore.JSON.createObjectNode();
      if (last.isPresent()) {
        seen.add("found " + last.get().path("tag").asText());
        out.put("tag", last.get().path("tag").asText());
        return out; // the work it started before is found and waited for (here: done)
      }
      ObjectNode work = ExecutionStore.JSON.createObjectNode().put("tag", "app-1");
      assertThat(step.checkpoint().save(work, "submitted app-1")).isTrue();
      submitted.countDown();
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        boolean handingOver = step.checkpoint().handingOver();
        seen.add(handingOver ? "left running" : "killed");
        Thread.sleep(300); // stopping outside work takes a moment; the run waits for it
        cleanedUp = true;
        throw e;
      }
      return out;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    hook = new WebhookReceiver();
  }

  @AfterEach
  void tearDown() {
    hook.close();
  }

  Executor executor(Duration dailyTimeout) {
    Pipeline p = new Pipeline(tmp);
    store = new ExecutionStore(p.catalog);
    Topic topic =
        Topic.of(
            List.of(new Subscription.Webhook(hook.url(), Optional.empty(), "X-Cdr-Secret")),
            new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)));
    Workflows.Timeouts t =
        new Workflows.Timeouts(dailyTimeout, Duration.ofHours(1), Duration.ofHours(1));
    return new Executor(
        store,
        Workflows.definitions(outside, topic, t, Duration.ofHours(1), Clock.systemUTC()),
        topic,
        Clock.systemUTC(),
        new Executor.Settings(
            Duration.ofMillis(50), Duration.ofSeconds(30), 3, Duration.ofMillis(5)));
  }

  @Test
  void aHandedOverStepLeavesItsWorkAndTheResumedStepFindsIt() throws Exception {
    String id;
    try (Executor first = executor(Duration.ofHours(1))) {
      Execution e =
          first.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
      id = e.id();
      Future<Execution> running =
          Executors.newSingleThreadExecutor().submit(() -> first.run(e.id(), null));
      assertThat(outside.submitted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(
              store
                  .get(id)
                  .orElseThrow()
                  .state()
                  .path("checkpoints")
                  .path("etl")
                  .path("tag")
                  .asText())
          .isEqualTo("app-1");
      assertThat(store.events(id))
          .filteredOn(ev -> ev.type() == ExecutionEvent.Type.STEP_PROGRESS)
          .singleElement()
          .satisfies(ev -> assertThat(ev.detail()).contains("submitted app-1"));
      first.handOverAll("service stopping", Duration.ofSeconds(10));
      Execution given = running.get(10, TimeUnit.SECONDS);
      assertThat(outside.cleanedUp).as("the run waited for the step to leave its work").isTrue();
      assertThat(given.status()).isEqualTo(ExecutionStatus.RUNNING);
      assertThat(given.nextStep()).isEqualTo(1);
    }
    try (Executor next = executor(Duration.ofHours(1))) {
      Execution orphan = next.orphans().get(0);
      assertThat(next.claim(orphan)).isTrue();
      Execution end = next.run(id, null);
      assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(end.state().has("checkpoints"))
          .as("a finished step keeps no checkpoint")
          .isFalse();
      assertThat(end.state().path("etl").path("tag").asText()).isEqualTo("app-1");
    }
    assertThat(outside.seen).containsExactly("left running", "found app-1");
  }

  @Test
  void aTimedOutStepStopsItsWorkBeforeTheExecutionEndsAndNotifies() throws Exception {
    try (Executor executor = executor(Duration.ofSeconds(2))) {
      Execution e =
          executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
      Execution end = executor.run(e.id(), null);
      assertThat(outside.cleanedUp).as("stopped before the run ended").isTrue();
      assertThat(end.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
      assertThat(outside.seen).containsExactly("killed");
      assertThat(hook.await(1, 10_000))
          .singleElement()
          .satisfies(
              n -> assertThat(n.path("subject").asText()).isEqualTo("Error Processing CDRs"));
    }
  }

  @Test
  void aStoppedStepStopsItsWork() throws Exception {
    try (Executor executor = executor(Duration.ofHours(1))) {
      Execution e =
          executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
      Future<Execution> running =
          Executors.newSingleThreadExecutor().submit(() -> executor.run(e.id(), null));
      assertThat(outside.submitted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(executor.stop(e.id())).isTrue();
      Execution end = running.get(10, TimeUnit.SECONDS);
      assertThat(outside.cleanedUp).isTrue();
      assertThat(end.status()).isEqualTo(ExecutionStatus.ABORTED);
      assertThat(outside.seen).containsExactly("killed");
    }
  }

  @Test
  void aStepWhoseExecutionWasTakenOverLeavesItsWorkToTheNewOwner() throws Exception {
    try (Executor executor = executor(Duration.ofHours(1))) {
      Execution e =
          executor.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
      Future<Execution> running =
          Executors.newSingleThreadExecutor().submit(() -> executor.run(e.id(), null));
      assertThat(outside.submitted.await(10, TimeUnit.SECONDS)).isTrue();
      // another process took the execution over (this one froze past its lease): it resumes the
      // step from the checkpoint
      assertThat(store.claim(e.id(), executor.owner(), "elsewhere:1:new", Optional.empty()))
          .isTrue();
      running.get(10, TimeUnit.SECONDS);
      assertThat(outside.seen).containsExactly("left running");
      assertThat(store.get(e.id()).orElseThrow().owner()).contains("elsewhere:1:new");
    }
  }
}
