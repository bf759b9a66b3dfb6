package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempts of one step of an {@link ExecutionRun}: each attempt on a step thread, bounded by
 * the step's timeout and the execution's deadline, transient failures retried with a doubling
 * backoff, and a cancelled attempt given time to settle what it started.
 */
final class StepAttempts {
  private static final Logger LOG = LoggerFactory.getLogger(StepAttempts.class);

  /**
   * How long a cancelled step that saved a checkpoint is given to stop, or leave, what it started.
   */
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private final ExecutionRun run;
  private final Executor executor;
  private final Execution execution;
  private final WorkflowDefinition def;
  private final String id;
  private final Clock clock;
  private final Executor.Settings settings;

  StepAttempts(ExecutionRun run, Executor executor, Execution execution, WorkflowDefinition def) {
    this.run = run;
    this.executor = executor;
    this.execution = execution;
    this.def = def;
    this.id = execution.id();
    this.clock = executor.clock;
    this.settings = executor.settings;
  }

  /** Runs the step until an attempt succeeds; an {@link Outcome} when it ends the execution. */
  ObjectNode run(Step step) throws Outcome {
    Duration backoff = settings.retryBackoff();
    for (int attempt = 1; ; attempt++) {
      Instant now = clock.instant();
      Duration left = Duration.between(now, execution.deadline());
      boolean deadlineBinds = left.compareTo(step.timeout()) < 0;
      Duration wait = deadlineBinds ? left : step.timeout();
      AtomicBoolean saved = new AtomicBoolean();
      ObjectNode seen = run.snapshot();
      StepContext ctx =
          new StepContext(
              id,
              execution.workflow(),
              execution.input(),
              seen,
              (type, detail) -> run.event(type, step.name(), detail),
              () -> run.claimNotification(step.name()),
              run.checkpoint(step, saved));
      CountDownLatch attemptEnded = new CountDownLatch(1);
      Future<ObjectNode> f =
          executor.stepThreads.submit(
              () -> {
                try {
                  return step.action().run(ctx);
                } finally {
                  attemptEnded.countDown();
                }
              });
      run.attempting(f);
      try {
        if (run.stoppingOrLost()) {
          f.cancel(true);
        }
        ObjectNode out = f.get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        return out == null ? ExecutionStore.JSON.createObjectNode() : out;
      } catch (TimeoutException te) {
        f.cancel(true);
        settle(step, attemptEnded, saved);
        if (deadlineBinds) {
          throw new Outcome(
              ExecutionStatus.TIMED_OUT,
              "execution timed out after "
                  + ExecutionRun.human(def.timeout())
                  + " (in step "
                  + step.name()
                  + ")");
        }
        throw new Outcome(
            ExecutionStatus.FAILED,
            "step " + step.name() + " timed out after " + ExecutionRun.human(step.timeout()));
      } catch (CancellationException | InterruptedException ce) {
        f.cancel(true);
        settle(step, attemptEnded, saved);
        if (ce instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new Outcome(ExecutionStatus.ABORTED, ExecutionRun.STOPPED);
      } catch (ExecutionException ee) {
        Throwable cause = ee.getCause();
        if (run.stoppingOrLost()) {
          throw new Outcome(ExecutionStatus.ABORTED, ExecutionRun.STOPPED);
        }
        String reason = ExecutionRun.reason(cause);
        if (attempt < settings.stepAttempts() && TransientErrors.isTransient(cause)) {
          if (!run.event(
              ExecutionEvent.Type.STEP_RETRIED,
              step.name(),
              "attempt "
                  + attempt
                  + " failed ("
                  + reason
                  + "), retrying in "
                  + ExecutionRun.human(backoff))) {
            throw new Outcome(ExecutionStatus.ABORTED, ExecutionRun.STOPPED);
          }
          LOG.info("step {} of {} failed, retrying: {}", step.name(), id, reason, cause);
          try {
            if (run.awaitWake(backoff)) {
              throw new Outcome(ExecutionStatus.ABORTED, ExecutionRun.STOPPED);
            }
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new Outcome(ExecutionStatus.ABORTED, ExecutionRun.STOPPED);
          }
          backoff = backoff.multipliedBy(2);
          continue;
        }
        LOG.debug("step {} of {} failed", step.name(), id, cause);
        throw new Outcome(ExecutionStatus.FAILED, reason);
      } finally {
        run.attempting(null);
      }
    }
  }

  /**
   * After cancelling an attempt that started work outside this process: waits (bounded) for it to
   * stop that work, or to leave it for the next process, before the run goes on.
   */
  private void settle(Step step, CountDownLatch attemptEnded, AtomicBoolean saved) {
    if (!saved.get()) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    try {
      if (!attemptEnded.await(SETTLE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "step {} of {} did not end within {} of being cancelled",
            step.name(),
            id,
            ExecutionRun.human(SETTLE));
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The end of a step that ends the execution. */
  static final class Outcome extends Exception {
    private static final long serialVersionUID = 1L;
    final ExecutionStatus status;

    Outcome(ExecutionStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
