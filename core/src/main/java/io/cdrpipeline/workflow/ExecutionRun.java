package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.notify.Delivery;
import io.cdrpipeline.notify.Notification;
import io.cdrpipeline.notify.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one execution this process runs: each step in order with its retries and
 * timeouts, every transition written (fenced on the owner) before the next begins, and the end
 * (succeeded, failed with the workflow's failure notice, aborted, or handed over).
 */
final class ExecutionRun {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionRun.class);
  static final String STOPPED = "stopped by request";

  private final Executor executor;
  private final ExecutionStore store;
  private final String owner;
  private final Clock clock;
  private final Topic topic;
  private final Execution execution;
  private final String id;
  private final WorkflowDefinition def;
  private final Consumer<ExecutionEvent> listener;
  private volatile boolean stopRequested;

  /**
   * Why this process stops it (null: a stop request); with {@code handOver}, it is given up instead
   * of aborted.
   */
  private volatile String stopReason;

  private volatile boolean handOver;

  /** Another process owns it now: nothing more is written or sent. */
  private volatile boolean lost;

  private volatile Future<?> current;

  /** Counted down when the run should stop waiting (a stop, an interrupt, a lost lease). */
  private final CountDownLatch wake = new CountDownLatch(1);

  private final CountDownLatch ended = new CountDownLatch(1);

  /** The outputs of the steps done, and the checkpoints of the unfinished one; guarded by this. */
  private ObjectNode state;

  ExecutionRun(
      Executor executor,
      Execution execution,
      WorkflowDefinition def,
      Consumer<ExecutionEvent> listener) {
    this.executor = executor;
    this.store = executor.store();
    this.owner = executor.owner();
    this.clock = executor.clock;
    this.topic = executor.topic;
    this.execution = execution;
    this.id = execution.id();
    this.def = def;
    this.listener = listener;
    this.stopRequested = execution.stopRequested();
  }

  void heartbeat() {
    if (lost) {
      return;
    }
    try {
      ExecutionStore.Lease lease = store.heartbeat(id, owner);
      if (lease == ExecutionStore.Lease.LOST) {
        lose();
      } else if (lease == ExecutionStore.Lease.STOP_REQUESTED && !stopRequested) {
        stop(null, false);
      }
    } catch (RuntimeException ex) {
      LOG.warn("heartbeat of {} failed: {}", id, ex.getMessage());
    }
  }

  /**
   * Stops the run: for a stop request (null reason), an interrupt of this process, or a hand-over.
   */
  void stop(String reason, boolean giveUp) {
    if (reason != null) {
      stopReason = reason;
      handOver = giveUp;
    }
    stopRequested = true;
    wakeUp();
  }

  private boolean stopping() {
    return stopRequested || stopReason != null;
  }

  boolean stoppingOrLost() {
    return stopping() || lost;
  }

  /** The step attempt running now (null: none), cancelled when the run is woken. */
  void attempting(Future<?> attempt) {
    current = attempt;
  }

  /** Waits up to {@code wait}; true if the run was woken to stop meanwhile. */
  boolean awaitWake(Duration wait) throws InterruptedException {
    return wake.await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A copy of the outputs of the steps done and the checkpoints of the unfinished one. */
  synchronized ObjectNode snapshot() {
    return state.deepCopy();
  }

  /** Another process owns the execution now: stop at once, writing and sending nothing more. */
  private void lose() {
    if (!lost) {
      lost = true;
      LOG.warn(
          "execution {} is owned by another process now (this one was frozen or cut off past its lease): "
              + "{} stops running it without writing or notifying",
          id,
          owner);
      wakeUp();
    }
  }

  private void wakeUp() {
    wake.countDown();
    Future<?> f = current;
    if (f != null) {
      f.cancel(true);
    }
  }

  /** The execution's id. */
  String id() {
    return id;
  }

  /** Tells those waiting in {@link #awaitEnd} that the run has ended. */
  void ended() {
    ended.countDown();
  }

  void awaitEnd(Duration wait) {
    try {
      ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Records an event; false (and the run stops) if this process no longer owns the execution. */
  boolean event(ExecutionEvent.Type type, String step, String detail) {
    if (lost) {
      return false;
    }
    return told(store.addEvent(id, owner, clock.instant(), type, step, detail));
  }

  private boolean told(Optional<ExecutionEvent> written) {
    if (written.isEmpty()) {
      lose();
      return false;
    }
    listener.accept(written.get());
    executor.tell(execution, written.get());
    return true;
  }

  /**
   * The claim before the execution's one notification is sent; records why not when it may not be.
   */
  boolean claimNotification(String step) {
    if (lost) {
      return false;
    }
    if (Executor.BURST_TRIGGER.equals(execution.trigger())) {
      event(
          ExecutionEvent.Type.NOTIFICATION_SKIPPED,
          step,
          "one of a backfill: its summary notification tells this " + "execution's outcome");
      return false;
    }
    switch (store.claimNotification(id, owner)) {
      case CLAIMED:
        return true;
      case CLAIMED_BEFORE:
        event(
            ExecutionEvent.Type.NOTIFICATION_SKIPPED,
            step,
            "claimed before by "
                + store.notifiedBy(id).orElse("another owner")
                + ", which stopped before recording it: not sent twice");
        return false;
      default:
        lose();
        return false;
    }
  }

  void execute() {
    if (execution.nextStep() > 0
        || !store.events(id).stream()
            .noneMatch(ev -> ev.type() == ExecutionEvent.Type.STEP_STARTED)) {
      if (!event(
          ExecutionEvent.Type.EXECUTION_RESUMED,
          def.steps().get(Math.min(execution.nextStep(), def.steps().size() - 1)).name(),
          "resumed by " + owner)) {
        return;
      }
    }
    synchronized (this) {
      state = execution.state().deepCopy();
    }
    StepAttempts attempts = new StepAttempts(this, executor, execution, def);
    for (int i = execution.nextStep(); i < def.steps().size(); i++) {
      Step step = def.steps().get(i);
      if (lost) {
        return;
      }
      if (stopping()) {
        end(step.name());
        return;
      }
      if (!clock.instant().isBefore(execution.deadline())) {
        fail(
            ExecutionStatus.TIMED_OUT,
            step.name(),
            "execution timed out after " + human(def.timeout()));
        return;
      }
      if (!event(ExecutionEvent.Type.STEP_STARTED, step.name(), null)) {
        return;
      }
      ObjectNode output;
      try {
        output = attempts.run(step);
      } catch (StepAttempts.Outcome o) {
        if (lost) {
          return;
        }
        if (o.status == ExecutionStatus.ABORTED) {
          end(step.name());
        } else if (event(ExecutionEvent.Type.STEP_FAILED, step.name(), o.getMessage())) {
          fail(o.status, step.name(), o.getMessage());
        }
        return;
      }
      if (lost) {
        return; // the step ended after another process took over: its output is that process's
        // business
      }
      ObjectNode done;
      synchronized (this) {
        state.set(step.name(), output);
        if (state.get(Executor.CHECKPOINTS) instanceof ObjectNode checkpoints) {
          checkpoints.remove(step.name()); // the step is done: what it started is in its output
          if (checkpoints.isEmpty()) {
            state.remove(Executor.CHECKPOINTS);
          }
        }
        done = state.deepCopy();
      }
      if (!told(
          store.advance(
              id, owner, i + 1, done, clock.instant(), step.name(), ExecutionStore.json(output)))) {
        return;
      }
    }
    ObjectNode out;
    synchronized (this) {
      out = def.output().apply(state);
    }
    finish(
        ExecutionStatus.SUCCEEDED,
        out,
        null,
        ExecutionEvent.Type.EXECUTION_SUCCEEDED,
        null,
        ExecutionStore.json(out));
  }

  private void finish(
      ExecutionStatus status,
      ObjectNode out,
      String error,
      ExecutionEvent.Type type,
      String step,
      String detail) {
    if (!lost) {
      told(store.finish(id, owner, status, out, error, clock.instant(), type, step, detail));
    }
  }

  /**
   * The checkpoint of a step in this run; {@code saved} tells that the attempt started work outside
   * the process.
   */
  StepContext.Checkpoint checkpoint(Step step, AtomicBoolean saved) {
    return new StepContext.Checkpoint() {
      @Override
      public Optional<ObjectNode> last() {
        synchronized (ExecutionRun.this) {
          return state.path(Executor.CHECKPOINTS).get(step.name()) instanceof ObjectNode o
              ? Optional.of(o.deepCopy())
              : Optional.empty();
        }
      }

      @Override
      public boolean save(ObjectNode value, String detail) {
        saved.set(true);
        if (lost) {
          return false;
        }
        ObjectNode snapshot;
        synchronized (ExecutionRun.this) {
          ObjectNode checkpoints =
              state.get(Executor.CHECKPOINTS) instanceof ObjectNode o
                  ? o
                  : state.putObject(Executor.CHECKPOINTS);
          checkpoints.set(step.name(), value.deepCopy());
          snapshot = state.deepCopy();
        }
        return told(store.checkpoint(id, owner, snapshot, clock.instant(), step.name(), detail));
      }

      @Override
      public boolean handingOver() {
        // taken over (this process was frozen past its lease): the new owner found the checkpoint
        return handOver || lost;
      }
    };
  }

  /** Ends a run that was asked to stop: ABORTED, or given up for the next process to resume. */
  private void end(String step) {
    if (handOver) {
      if (told(
          store.release(
              id,
              owner,
              clock.instant(),
              step,
              "given up by "
                  + owner
                  + " ("
                  + stopReason
                  + "): the next process resumes it at step "
                  + step))) {
        LOG.info("execution {} handed over at step {}", id, step);
      }
      return;
    }
    String reason = stopReason != null ? stopReason : STOPPED;
    finish(
        ExecutionStatus.ABORTED, null, reason, ExecutionEvent.Type.EXECUTION_ABORTED, step, reason);
  }

  private void fail(ExecutionStatus status, String step, String reason) {
    // notify first: a crash before the status is written reruns the step rather than losing the
    // alert
    if (claimNotification(step)) {
      WorkflowDefinition.Notice notice = def.failureNotice().apply(reason);
      List<Delivery> deliveries =
          topic.publish(
              new Notification(
                  notice.subject(),
                  notice.message(),
                  id,
                  execution.workflow(),
                  status.name(),
                  Optional.empty()));
      for (Delivery d : deliveries) {
        event(
            d.delivered()
                ? ExecutionEvent.Type.NOTIFICATION_SENT
                : ExecutionEvent.Type.NOTIFICATION_FAILED,
            step,
            d.subscriber()
                + (d.delivered()
                    ? ""
                    : ": " + d.error().orElse("failed") + " after " + d.attempts() + " attempts"));
      }
    }
    finish(
        status,
        null,
        reason,
        status == ExecutionStatus.TIMED_OUT
            ? ExecutionEvent.Type.EXECUTION_TIMED_OUT
            : ExecutionEvent.Type.EXECUTION_FAILED,
        step,
        reason);
  }

  static String reason(Throwable t) {
    String m = FailureText.firstLine(t.getMessage());
    return m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  static String human(Duration d) {
    long s = d.getSeconds();
    if (s % 3600 == 0 && s >= 3600) {
      return (s / 3600) + " h";
    }
    if (s % 60 == 0 && s >= 60) {
      return (s / 60) + " min";
    }
    if (s >= 1) {
      return s + " s";
    }
    return d.toMillis() + " ms";
  }
}
