package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.notify.Delivery;
import io.cdrpipeline.notify.Notification;
import io.cdrpipeline.notify.Topic;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import software.amazon.awssdk.core.exception.SdkException;
import org.slf4j.LoggerFactory;

/**
 * Runs workflow executions durably. Every transition is written to the {@link ExecutionStore}
 * before the next begins, so an execution whose process died is resumed at its unfinished
 * step by the next process that claims it; a claim is a compare-and-set on the owner, so one
 * process wins, and every later write is fenced on the owner, so a process that lost its
 * lease (frozen, cut off) stops without writing or notifying. Steps retry transient errors
 * with exponential backoff, have timeouts, and the execution has a total timeout. Any failure
 * ends the execution FAILED and publishes an error notification (the original's failure
 * branch, which never fired).
 */
public final class Executor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Executor.class);
  private static final String STOPPED = "stopped by request";
  /** Where the state keeps the checkpoints of unfinished steps, by step name. */
  static final String CHECKPOINTS = "checkpoints";
  /** How long a cancelled step that saved a checkpoint is given to stop, or leave, what it started. */
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
  /**
   * The trigger of an execution started as one of a burst (the service's backfill): it sends no
   * notification of its own, of success or of failure; whoever started the burst sends one
   * summary of it ({@link #publish}), so a first start on months of history is not a flood.
   */
  public static final String BURST_TRIGGER = "backfill";

  /**
   * Timing of heartbeats, of the lease ({@code staleAfter}: how old, by the database's clock,
   * an owner's last heartbeat must be before another process takes over) and of step retries.
   */
  public record Settings(Duration heartbeat, Duration staleAfter, int stepAttempts, Duration retryBackoff) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(60), 3, Duration.ofSeconds(2));
    }
  }

  private final ExecutionStore store;
  private final Map<String, WorkflowDefinition> workflows;
  private final Topic topic;
  private final Clock clock;
  private final Settings settings;
  private final String owner;
  private final ExecutorService stepThreads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "workflow-step");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Run> active = new ConcurrentHashMap<>();
  private final List<BiConsumer<Execution, ExecutionEvent>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "workflow-heartbeat");
    t.setDaemon(true);
    return t;
  });

  public Executor(ExecutionStore store, Map<String, WorkflowDefinition> workflows, Topic topic, Clock clock,
      Settings settings) {
    this.store = Objects.requireNonNull(store, "store");
    this.workflows = Map.copyOf(workflows);
    this.topic = Objects.requireNonNull(topic, "topic");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.owner = host() + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Tells {@code listener} every event this process records: the start of an execution it
   * creates and every transition of one it runs, with the execution as it was then.
   */
  public void addListener(BiConsumer<Execution, ExecutionEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener is null"));
  }

  /** This process's name as an owner of executions. */
  public String owner() {
    return owner;
  }

  public ExecutionStore store() {
    return store;
  }

  /** Publishes a notification that belongs to no one execution (the summary of a burst) to the topic. */
  public List<Delivery> publish(Notification n) {
    return topic.publish(n);
  }

  /** The definition of a workflow, or an IllegalArgumentException naming the known ones. */
  public WorkflowDefinition workflow(String name) {
    WorkflowDefinition d = workflows.get(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown workflow '" + name + "' (known: " + String.join(", ", workflows.keySet()) + ")");
    }
    return d;
  }

  /**
   * Creates a running execution of a workflow. With {@code own} this process owns it and must
   * run it; without, it waits for a process that claims it (a background runner, the service).
   */
  public Execution start(String workflow, ObjectNode input, String trigger, boolean own) {
    WorkflowDefinition def = workflow(workflow);
    ObjectNode in = def.normalizeInput().apply(input == null ? ExecutionStore.JSON.createObjectNode() : input.deepCopy());
    Instant now = clock.instant();
    String id = workflow + "-" + ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
    Execution e = new Execution(id, workflow, in, def.inputKey().apply(in), ExecutionStatus.RUNNING, trigger, now,
        Optional.empty(), now.plus(def.timeout()), 0, ExecutionStore.JSON.createObjectNode(), Optional.empty(),
        Optional.empty(), own ? Optional.of(owner) : Optional.empty(), own ? Optional.of(now) : Optional.empty(), false);
    Execution created = store.create(e);
    if (!listeners.isEmpty()) {
      store.events(id).stream().findFirst().ifPresent(first -> tell(created, first));
    }
    return created;
  }

  private void tell(Execution e, ExecutionEvent ev) {
    for (BiConsumer<Execution, ExecutionEvent> l : listeners) {
      try {
        l.accept(e, ev);
      } catch (RuntimeException ex) {
        LOG.warn("a listener of {} failed: {}", e.id(), ex.toString());
      }
    }
  }

  /**
   * True if nobody runs this execution any more: no owner, an owner on this host whose
   * process is gone, or an owner whose heartbeat is older than the stale limit by the
   * database's clock (hosts' clocks differ; the database's is the one all of them share).
   */
  public boolean isOrphaned(Execution e) {
    if (e.status().isFinal()) {
      return false;
    }
    if (e.owner().isEmpty()) {
      return true;
    }
    String o = e.owner().get();
    if (o.equals(owner)) {
      return false;
    }
    return ownerGone(o) || store.isStale(e.id(), o, settings.staleAfter());
  }

  /** True if an owner names a process on this host that no longer exists. */
  private static boolean ownerGone(String o) {
    String[] parts = o.split(":");
    if (parts.length >= 3 && parts[0].equals(host())) {
      try {
        long pid = Long.parseLong(parts[1]);
        // its process on this host is gone: no need to wait for the heartbeat to go stale
        return pid != ProcessHandle.current().pid() && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      } catch (NumberFormatException ignored) {
        return false; // not one of ours: judge by the heartbeat
      }
    }
    return false;
  }

  /** Running executions that nobody runs any more. */
  public List<Execution> orphans() {
    Set<String> stale = store.staleRunning(settings.staleAfter());
    List<Execution> out = new ArrayList<>();
    for (Execution e : store.running()) {
      Optional<String> o = e.owner();
      if (o.isEmpty() || (!o.get().equals(owner) && (stale.contains(e.id()) || ownerGone(o.get())))) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Takes over an orphaned execution; true if this process won it. The staleness of the
   * owner's heartbeat is checked in the same conditional write that changes the owner.
   */
  public boolean claim(Execution e) {
    if (e.status().isFinal()) {
      return false;
    }
    Optional<String> o = e.owner();
    if (o.isPresent() && o.get().equals(owner)) {
      return false;
    }
    boolean atOnce = o.isEmpty() || ownerGone(o.get());
    return store.claim(e.id(), o.orElse(null), owner, atOnce ? Optional.empty() : Optional.of(settings.staleAfter()));
  }

  /** Asks for an execution to stop; one whose owner is gone is ended at once. */
  public boolean stop(String id) {
    Optional<Execution> e = store.get(id);
    if (e.isEmpty() || e.get().status().isFinal()) {
      return false;
    }
    store.requestStop(id);
    Run mine = active.get(id);
    if (mine != null) {
      mine.stop(null, false);
    } else if (isOrphaned(e.get()) && claim(e.get())) {
      store.finish(id, owner, ExecutionStatus.ABORTED, null, STOPPED, clock.instant(),
          ExecutionEvent.Type.EXECUTION_ABORTED, null, STOPPED);
    }
    return true;
  }

  /**
   * Ends an execution this process owns because the process is going away (Ctrl-C, SIGTERM):
   * it ends ABORTED with the reason instead of staying RUNNING with nobody to run it. Waits up
   * to {@code wait} for the run to record that, and returns the execution as stored then.
   */
  public Execution interrupt(String id, String reason, Duration wait) {
    Run r = active.get(id);
    if (r != null) {
      r.stop(reason, false);
      r.awaitEnd(wait);
    } else {
      // not being run (yet): end it here, if it is still ours
      store.finish(id, owner, ExecutionStatus.ABORTED, null, reason, clock.instant(),
          ExecutionEvent.Type.EXECUTION_ABORTED, null, reason);
    }
    return store.get(id).orElseThrow();
  }

  /**
   * Gives up every execution this process runs (the service stopping), so that the next
   * process resumes each at once at its unfinished step; waits up to {@code wait} for them to
   * record it and returns their ids.
   */
  public List<String> handOverAll(String reason, Duration wait) {
    List<Run> runs = List.copyOf(active.values());
    for (Run r : runs) {
      r.stop(reason, true);
    }
    long end = System.nanoTime() + wait.toNanos();
    List<String> ids = new ArrayList<>();
    for (Run r : runs) {
      r.awaitEnd(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
      ids.add(r.execution.id());
    }
    return ids;
  }

  /**
   * Runs an execution this process owns (or has claimed) from its unfinished step to the end,
   * telling {@code listener} every event, and returns it as stored then. If another process
   * takes it over meanwhile (this one was frozen past its lease), this one stops without
   * writing or notifying anything more and returns it as the other left it.
   */
  public Execution run(String id, Consumer<ExecutionEvent> listener) {
    Execution e = store.get(id).orElseThrow(() -> new IllegalArgumentException("no execution " + id));
    if (e.status().isFinal()) {
      return e;
    }
    if (!e.owner().map(owner::equals).orElse(false)) {
      throw new IllegalStateException("execution " + id + " is not owned by this process");
    }
    Consumer<ExecutionEvent> tell = listener == null ? ev -> {} : listener;
    WorkflowDefinition def = workflow(e.workflow());
    Run run = new Run(e, def, tell);
    if (active.putIfAbsent(id, run) != null) {
      throw new IllegalStateException("execution " + id + " is already being run by this process");
    }
    ScheduledFuture<?> beat = beats.scheduleAtFixedRate(run::heartbeat,
        settings.heartbeat().toMillis(), settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    try {
      run.execute();
    } finally {
      beat.cancel(false);
      active.remove(id, run);
      run.ended.countDown();
    }
    return store.get(id).orElseThrow();
  }

  /** The state of one execution being run. */
  private final class Run {
    private final Execution execution;
    private final String id;
    private final WorkflowDefinition def;
    private final Consumer<ExecutionEvent> listener;
    private volatile boolean stopRequested;
    /** Why this process stops it (null: a stop request); with {@code handOver}, it is given up instead of aborted. */
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

    Run(Execution execution, WorkflowDefinition def, Consumer<ExecutionEvent> listener) {
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

    /** Stops the run: for a stop request (null reason), an interrupt of this process, or a hand-over. */
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

    /** Another process owns the execution now: stop at once, writing and sending nothing more. */
    private void lose() {
      if (!lost) {
        lost = true;
        LOG.warn("execution {} is owned by another process now (this one was frozen or cut off past its lease): "
            + "{} stops running it without writing or notifying", id, owner);
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

    void awaitEnd(Duration wait) {
      try {
        ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Records an event; false (and the run stops) if this process no longer owns the execution. */
    private boolean event(ExecutionEvent.Type type, String step, String detail) {
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
      tell(execution, written.get());
      return true;
    }

    /** The claim before the execution's one notification is sent; records why not when it may not be. */
    private boolean claimNotification(String step) {
      if (lost) {
        return false;
      }
      if (BURST_TRIGGER.equals(execution.trigger())) {
        event(ExecutionEvent.Type.NOTIFICATION_SKIPPED, step, "one of a backfill: its summary notification tells this "
            + "execution's outcome");
        return false;
      }
      switch (store.claimNotification(id, owner)) {
        case CLAIMED:
          return true;
        case CLAIMED_BEFORE:
          event(ExecutionEvent.Type.NOTIFICATION_SKIPPED, step, "claimed before by "
              + store.notifiedBy(id).orElse("another owner") + ", which stopped before recording it: not sent twice");
          return false;
        default:
          lose();
          return false;
      }
    }

    void execute() {
      if (execution.nextStep() > 0 || !store.events(id).stream().noneMatch(ev -> ev.type() == ExecutionEvent.Type.STEP_STARTED)) {
        if (!event(ExecutionEvent.Type.EXECUTION_RESUMED,
            def.steps().get(Math.min(execution.nextStep(), def.steps().size() - 1)).name(), "resumed by " + owner)) {
          return;
        }
      }
      synchronized (this) {
        state = execution.state().deepCopy();
      }
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
          fail(ExecutionStatus.TIMED_OUT, step.name(), "execution timed out after " + human(def.timeout()));
          return;
        }
        if (!event(ExecutionEvent.Type.STEP_STARTED, step.name(), null)) {
          return;
        }
        ObjectNode output;
        try {
          output = runWithRetries(step);
        } catch (Outcome o) {
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
          return; // the step ended after another process took over: its output is that process's business
        }
        ObjectNode done;
        synchronized (this) {
          state.set(step.name(), output);
          if (state.get(CHECKPOINTS) instanceof ObjectNode checkpoints) {
            checkpoints.remove(step.name()); // the step is done: what it started is in its output
            if (checkpoints.isEmpty()) {
              state.remove(CHECKPOINTS);
            }
          }
          done = state.deepCopy();
        }
        if (!told(store.advance(id, owner, i + 1, done, clock.instant(), step.name(), ExecutionStore.json(output)))) {
          return;
        }
      }
      ObjectNode out;
      synchronized (this) {
        out = def.output().apply(state);
      }
      finish(ExecutionStatus.SUCCEEDED, out, null, ExecutionEvent.Type.EXECUTION_SUCCEEDED, null, ExecutionStore.json(out));
    }

    private void finish(ExecutionStatus status, ObjectNode out, String error, ExecutionEvent.Type type, String step,
        String detail) {
      if (!lost) {
        told(store.finish(id, owner, status, out, error, clock.instant(), type, step, detail));
      }
    }

    /** The checkpoint of a step in this run; {@code saved} tells that the attempt started work outside the process. */
    private StepContext.Checkpoint checkpoint(Step step, java.util.concurrent.atomic.AtomicBoolean saved) {
      return new StepContext.Checkpoint() {
        @Override
        public Optional<ObjectNode> last() {
          synchronized (Run.this) {
            return state.path(CHECKPOINTS).get(step.name()) instanceof ObjectNode o ? Optional.of(o.deepCopy()) : Optional.empty();
          }
        }

        @Override
        public boolean save(ObjectNode value, String detail) {
          saved.set(true);
          if (lost) {
            return false;
          }
          ObjectNode snapshot;
          synchronized (Run.this) {
            ObjectNode checkpoints = state.get(CHECKPOINTS) instanceof ObjectNode o ? o : state.putObject(CHECKPOINTS);
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

    /**
     * After cancelling an attempt that started work outside this process: waits (bounded) for
     * it to stop that work, or to leave it for the next process, before the run goes on.
     */
    private void settle(Step step, CountDownLatch attemptEnded, java.util.concurrent.atomic.AtomicBoolean saved) {
      if (!saved.get()) {
        return;
      }
      boolean interrupted = Thread.interrupted();
      try {
        if (!attemptEnded.await(SETTLE.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("step {} of {} did not end within {} of being cancelled", step.name(), id, human(SETTLE));
        }
      } catch (InterruptedException e) {
        interrupted = true;
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private ObjectNode runWithRetries(Step step) throws Outcome {
      Duration backoff = settings.retryBackoff();
      for (int attempt = 1; ; attempt++) {
        Instant now = clock.instant();
        Duration left = Duration.between(now, execution.deadline());
        boolean deadlineBinds = left.compareTo(step.timeout()) < 0;
        Duration wait = deadlineBinds ? left : step.timeout();
        java.util.concurrent.atomic.AtomicBoolean saved = new java.util.concurrent.atomic.AtomicBoolean();
        ObjectNode seen;
        synchronized (this) {
          seen = state.deepCopy();
        }
        StepContext ctx = new StepContext(id, execution.workflow(), execution.input(), seen,
            (type, detail) -> event(type, step.name(), detail), () -> claimNotification(step.name()),
            checkpoint(step, saved));
        CountDownLatch attemptEnded = new CountDownLatch(1);
        Future<ObjectNode> f = stepThreads.submit(() -> {
          try {
            return step.action().run(ctx);
          } finally {
            attemptEnded.countDown();
          }
        });
        current = f;
        try {
          if (stopping() || lost) {
            f.cancel(true);
          }
          ObjectNode out = f.get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
          return out == null ? ExecutionStore.JSON.createObjectNode() : out;
        } catch (TimeoutException te) {
          f.cancel(true);
          settle(step, attemptEnded, saved);
          if (deadlineBinds) {
            throw new Outcome(ExecutionStatus.TIMED_OUT, "execution timed out after " + human(def.timeout())
                + " (in step " + step.name() + ")");
          }
          throw new Outcome(ExecutionStatus.FAILED, "step " + step.name() + " timed out after " + human(step.timeout()));
        } catch (java.util.concurrent.CancellationException | InterruptedException ce) {
          f.cancel(true);
          settle(step, attemptEnded, saved);
          if (ce instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          throw new Outcome(ExecutionStatus.ABORTED, STOPPED);
        } catch (ExecutionException ee) {
          Throwable cause = ee.getCause();
          if (stopping() || lost) {
            throw new Outcome(ExecutionStatus.ABORTED, STOPPED);
          }
          String reason = reason(cause);
          if (attempt < settings.stepAttempts() && isTransient(cause)) {
            if (!event(ExecutionEvent.Type.STEP_RETRIED, step.name(), "attempt " + attempt + " failed (" + reason
                + "), retrying in " + human(backoff))) {
              throw new Outcome(ExecutionStatus.ABORTED, STOPPED);
            }
            LOG.info("step {} of {} failed, retrying: {}", step.name(), id, reason, cause);
            try {
              if (wake.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Outcome(ExecutionStatus.ABORTED, STOPPED);
              }
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
              throw new Outcome(ExecutionStatus.ABORTED, STOPPED);
            }
            backoff = backoff.multipliedBy(2);
            continue;
          }
          LOG.debug("step {} of {} failed", step.name(), id, cause);
          throw new Outcome(ExecutionStatus.FAILED, reason);
        } finally {
          current = null;
        }
      }
    }

    /** Ends a run that was asked to stop: ABORTED, or given up for the next process to resume. */
    private void end(String step) {
      if (handOver) {
        if (told(store.release(id, owner, clock.instant(), step, "given up by " + owner + " (" + stopReason
            + "): the next process resumes it at step " + step))) {
          LOG.info("execution {} handed over at step {}", id, step);
        }
        return;
      }
      String reason = stopReason != null ? stopReason : STOPPED;
      finish(ExecutionStatus.ABORTED, null, reason, ExecutionEvent.Type.EXECUTION_ABORTED, step, reason);
    }

    private void fail(ExecutionStatus status, String step, String reason) {
      // notify first: a crash before the status is written reruns the step rather than losing the alert
      if (claimNotification(step)) {
        List<Delivery> deliveries = topic.publish(new Notification(Workflows.ERROR_SUBJECT, Workflows.ERROR_SUBJECT + ": " + reason,
            id, execution.workflow(), status.name(), Optional.empty()));
        for (Delivery d : deliveries) {
          event(d.delivered() ? ExecutionEvent.Type.NOTIFICATION_SENT : ExecutionEvent.Type.NOTIFICATION_FAILED, step,
              d.subscriber() + (d.delivered() ? "" : ": " + d.error().orElse("failed") + " after " + d.attempts() + " attempts"));
        }
      }
      finish(status, null, reason, status == ExecutionStatus.TIMED_OUT ? ExecutionEvent.Type.EXECUTION_TIMED_OUT
          : ExecutionEvent.Type.EXECUTION_FAILED, step, reason);
    }
  }

  /** The end of a step that ends the execution. */
  private static final class Outcome extends Exception {
    private static final long serialVersionUID = 1L;
    final ExecutionStatus status;

    Outcome(ExecutionStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * An error this layer retries: contention or a lost connection of the catalog database
   * (from the driver's SQLState and SQLite's result code) or other I/O trouble. An S3 error
   * (an {@link SdkException} in the chain) has had its retries in the SDK, which decided from
   * its own signals; retrying the step as well would multiply them. A missing or unreadable
   * bucket or bad input is not transient at all. Never decided from message text.
   */
  static boolean isTransient(Throwable t) {
    boolean io = false;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StepFailure || c instanceof IllegalArgumentException || c instanceof SdkException) {
        return false;
      }
      if (c instanceof NoSuchFileException || c instanceof AccessDeniedException || c instanceof FileNotFoundException) {
        return false;
      }
      if (c instanceof SQLException sql) {
        return isTransient(sql);
      }
      io |= c instanceof IOException;
    }
    return io;
  }

  private static boolean isTransient(SQLException e) {
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
      return true;
    }
    if (e instanceof SQLiteException s) {
      int primary = s.getResultCode().code & 0xff; // extended codes keep the primary one in the low byte
      return primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code;
    }
    String state = e.getSQLState();
    // connection exception, transaction rollback (serialization failure, deadlock), insufficient
    // resources, operator intervention (a server shutting down)
    return state != null && (state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
        || state.startsWith("57P"));
  }

  static String reason(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
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

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  @Override
  public void close() {
    beats.shutdownNow();
    stepThreads.shutdownNow();
    try {
      // a heartbeat in progress still writes to the catalog: let it finish before returning
      beats.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
