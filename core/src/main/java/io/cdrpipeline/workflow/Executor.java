package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.notify.Delivery;
import io.cdrpipeline.notify.Notification;
import io.cdrpipeline.notify.Topic;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
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
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs workflow executions durably. Every transition is written to the {@link ExecutionStore}
 * before the next begins, so an execution whose process died is resumed at its unfinished
 * step by the next process that claims it; a claim is a compare-and-set on the owner, so one
 * process wins. Steps retry transient errors with exponential backoff, have timeouts, and the
 * execution has a total timeout. Any failure ends the execution FAILED and publishes an error
 * notification (the original's failure branch, which never fired).
 */
public final class Executor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Executor.class);
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  /** Timing of heartbeats and retries. */
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

  /** This process's name as an owner of executions. */
  public String owner() {
    return owner;
  }

  public ExecutionStore store() {
    return store;
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
    return store.create(e);
  }

  /**
   * True if nobody runs this execution any more: no owner, an owner on this host whose
   * process is gone, or an owner whose heartbeat is older than the stale limit.
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
    String[] parts = o.split(":");
    if (parts.length >= 3 && parts[0].equals(host())) {
      try {
        long pid = Long.parseLong(parts[1]);
        if (pid != ProcessHandle.current().pid() && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          return true; // its process on this host is gone: no need to wait for the heartbeat to go stale
        }
      } catch (NumberFormatException ignored) {
        // not one of ours: judge by the heartbeat
      }
    }
    // a live owner proves itself every few seconds (and a reused process id does not)
    return e.heartbeatAt().map(h -> h.plus(settings.staleAfter()).isBefore(clock.instant())).orElse(true);
  }

  /** Running executions that nobody runs any more. */
  public List<Execution> orphans() {
    List<Execution> out = new ArrayList<>();
    for (Execution e : store.running()) {
      if (isOrphaned(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Takes over an orphaned execution; true if this process won it. */
  public boolean claim(Execution e) {
    return isOrphaned(e) && store.claim(e.id(), e.owner().orElse(null), owner, clock.instant());
  }

  /** Asks for an execution to stop; one whose owner is gone is ended at once. */
  public boolean stop(String id) {
    Optional<Execution> e = store.get(id);
    if (e.isEmpty() || e.get().status().isFinal()) {
      return false;
    }
    store.requestStop(id);
    if (isOrphaned(e.get()) && claim(e.get())) {
      store.addEvent(id, clock.instant(), ExecutionEvent.Type.EXECUTION_ABORTED, null, "stopped by request");
      store.finish(id, ExecutionStatus.ABORTED, null, "stopped by request", clock.instant());
    }
    return true;
  }

  /**
   * Runs an execution this process owns (or has claimed) from its unfinished step to the end,
   * telling {@code listener} every event, and returns it in its final state.
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
    java.util.concurrent.ScheduledFuture<?> beat = beats.scheduleAtFixedRate(run::heartbeat,
        settings.heartbeat().toMillis(), settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    try {
      run.execute();
    } finally {
      beat.cancel(false);
    }
    return store.get(id).orElseThrow();
  }

  /** The state of one execution being run. */
  private final class Run {
    private final Execution execution;
    private final WorkflowDefinition def;
    private final Consumer<ExecutionEvent> listener;
    private volatile boolean stopRequested;
    private volatile Future<?> current;

    Run(Execution execution, WorkflowDefinition def, Consumer<ExecutionEvent> listener) {
      this.execution = execution;
      this.def = def;
      this.listener = listener;
      this.stopRequested = execution.stopRequested();
    }

    void heartbeat() {
      try {
        if (store.heartbeat(execution.id(), owner, clock.instant()) && !stopRequested) {
          stopRequested = true;
          Future<?> f = current;
          if (f != null) {
            f.cancel(true);
          }
        }
      } catch (RuntimeException ex) {
        LOG.warn("heartbeat of {} failed: {}", execution.id(), ex.getMessage());
      }
    }

    private void event(ExecutionEvent.Type type, String step, String detail) {
      listener.accept(store.addEvent(execution.id(), clock.instant(), type, step, detail));
    }

    void execute() {
      String id = execution.id();
      if (execution.nextStep() > 0 || !store.events(id).stream().noneMatch(ev -> ev.type() == ExecutionEvent.Type.STEP_STARTED)) {
        event(ExecutionEvent.Type.EXECUTION_RESUMED, def.steps().get(Math.min(execution.nextStep(), def.steps().size() - 1)).name(),
            "resumed by " + owner);
      }
      ObjectNode state = execution.state().deepCopy();
      for (int i = execution.nextStep(); i < def.steps().size(); i++) {
        Step step = def.steps().get(i);
        if (stopRequested) {
          abort(step.name());
          return;
        }
        if (!clock.instant().isBefore(execution.deadline())) {
          fail(ExecutionStatus.TIMED_OUT, step.name(), "execution timed out after " + human(def.timeout()));
          return;
        }
        event(ExecutionEvent.Type.STEP_STARTED, step.name(), null);
        ObjectNode output;
        try {
          output = runWithRetries(step, state);
        } catch (Outcome o) {
          if (o.status == ExecutionStatus.ABORTED) {
            abort(step.name());
          } else {
            event(ExecutionEvent.Type.STEP_FAILED, step.name(), o.getMessage());
            fail(o.status, step.name(), o.getMessage());
          }
          return;
        }
        state.set(step.name(), output);
        store.advance(id, i + 1, state);
        event(ExecutionEvent.Type.STEP_SUCCEEDED, step.name(), ExecutionStore.json(output));
      }
      ObjectNode out = def.output().apply(state);
      event(ExecutionEvent.Type.EXECUTION_SUCCEEDED, null, ExecutionStore.json(out));
      store.finish(id, ExecutionStatus.SUCCEEDED, out, null, clock.instant());
    }

    private ObjectNode runWithRetries(Step step, ObjectNode state) throws Outcome {
      Duration backoff = settings.retryBackoff();
      for (int attempt = 1; ; attempt++) {
        Instant now = clock.instant();
        Duration left = Duration.between(now, execution.deadline());
        boolean deadlineBinds = left.compareTo(step.timeout()) < 0;
        Duration wait = deadlineBinds ? left : step.timeout();
        StepContext ctx = new StepContext(execution.id(), execution.workflow(), execution.input(), state.deepCopy(),
            (type, detail) -> event(type, step.name(), detail));
        Future<ObjectNode> f = stepThreads.submit(() -> step.action().run(ctx));
        current = f;
        try {
          if (stopRequested) {
            f.cancel(true);
          }
          ObjectNode out = f.get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
          return out == null ? ExecutionStore.JSON.createObjectNode() : out;
        } catch (TimeoutException te) {
          f.cancel(true);
          if (deadlineBinds) {
            throw new Outcome(ExecutionStatus.TIMED_OUT, "execution timed out after " + human(def.timeout())
                + " (in step " + step.name() + ")");
          }
          throw new Outcome(ExecutionStatus.FAILED, "step " + step.name() + " timed out after " + human(step.timeout()));
        } catch (java.util.concurrent.CancellationException | InterruptedException ce) {
          if (ce instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          throw new Outcome(ExecutionStatus.ABORTED, "stopped by request");
        } catch (ExecutionException ee) {
          Throwable cause = ee.getCause();
          if (stopRequested) {
            throw new Outcome(ExecutionStatus.ABORTED, "stopped by request");
          }
          String reason = reason(cause);
          if (attempt < settings.stepAttempts() && isTransient(cause)) {
            event(ExecutionEvent.Type.STEP_RETRIED, step.name(), "attempt " + attempt + " failed (" + reason
                + "), retrying in " + human(backoff));
            LOG.info("step {} of {} failed, retrying: {}", step.name(), execution.id(), reason, cause);
            try {
              Thread.sleep(backoff.toMillis());
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
              throw new Outcome(ExecutionStatus.ABORTED, "stopped by request");
            }
            backoff = backoff.multipliedBy(2);
            continue;
          }
          LOG.debug("step {} of {} failed", step.name(), execution.id(), cause);
          throw new Outcome(ExecutionStatus.FAILED, reason);
        } finally {
          current = null;
        }
      }
    }

    private void abort(String step) {
      event(ExecutionEvent.Type.EXECUTION_ABORTED, step, "stopped by request");
      store.finish(execution.id(), ExecutionStatus.ABORTED, null, "stopped by request", clock.instant());
    }

    private void fail(ExecutionStatus status, String step, String reason) {
      // notify first: a crash before the status is written reruns the step rather than losing the alert
      List<Delivery> deliveries = topic.publish(new Notification("Error Processing CDRs", "Error Processing CDRs: " + reason,
          execution.id(), execution.workflow(), status.name(), Optional.empty()));
      for (Delivery d : deliveries) {
        event(d.delivered() ? ExecutionEvent.Type.NOTIFICATION_SENT : ExecutionEvent.Type.NOTIFICATION_FAILED, step,
            d.subscriber() + (d.delivered() ? "" : ": " + d.error().orElse("failed") + " after " + d.attempts() + " attempts"));
      }
      event(status == ExecutionStatus.TIMED_OUT ? ExecutionEvent.Type.EXECUTION_TIMED_OUT : ExecutionEvent.Type.EXECUTION_FAILED,
          step, reason);
      store.finish(execution.id(), status, null, reason, clock.instant());
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

  /** An error worth retrying: I/O trouble of the network or the database, not a missing bucket or bad input. */
  static boolean isTransient(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StepFailure || c instanceof IllegalArgumentException) {
        return false;
      }
      if (c instanceof NoSuchFileException || c instanceof AccessDeniedException || c instanceof FileNotFoundException) {
        return false;
      }
      if (c instanceof SQLTransientException || c instanceof java.net.SocketException
          || c instanceof java.net.SocketTimeoutException || c instanceof java.net.http.HttpTimeoutException) {
        return true;
      }
      if (c.getClass().getName().startsWith("software.amazon.awssdk") && c.getMessage() != null
          && (c.getMessage().contains("Status Code: 5") || c.getMessage().contains("Throttl")
              || c.getMessage().contains("Unable to execute HTTP request"))) {
        return true;
      }
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return (t instanceof IOException || t instanceof UncheckedIOException || root instanceof IOException)
        && !(root instanceof NoSuchFileException) && !(root instanceof AccessDeniedException);
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
