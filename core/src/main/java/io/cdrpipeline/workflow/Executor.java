package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.notify.Delivery;
import io.cdrpipeline.notify.Notification;
import io.cdrpipeline.notify.Topic;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs workflow executions durably. Every transition is written to the {@link ExecutionStore}
 * before the next begins, so an execution whose process died is resumed at its unfinished step by
 * the next process that claims it; a claim is a compare-and-set on the owner, so one process wins,
 * and every later write is fenced on the owner, so a process that lost its lease (frozen, cut off)
 * stops without writing or notifying. Steps retry transient errors with exponential backoff, have
 * timeouts, and the execution has a total timeout. Any failure ends the execution FAILED and
 * publishes the failure notice its workflow defines (the original's failure branch, which never
 * fired). The run itself is {@link ExecutionRun}, who runs what is {@link Ownership}, which errors
 * are retried is {@link TransientErrors}.
 */
public final class Executor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Executor.class);

  /** Where the state keeps the checkpoints of unfinished steps, by step name. */
  static final String CHECKPOINTS = "checkpoints";

  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  /**
   * The trigger of an execution started as one of a burst (the service's backfill): it sends no
   * notification of its own, of success or of failure; whoever started the burst sends one summary
   * of it ({@link #publish}), so a first start on months of history is not a flood.
   */
  public static final String BURST_TRIGGER = "backfill";

  /**
   * Timing of heartbeats, of the lease ({@code staleAfter}: how old, by the database's clock, an
   * owner's last heartbeat must be before another process takes over) and of step retries.
   */
  public record Settings(
      Duration heartbeat, Duration staleAfter, int stepAttempts, Duration retryBackoff) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(60), 3, Duration.ofSeconds(2));
    }
  }

  private final ExecutionStore store;
  private final Map<String, WorkflowDefinition> workflows;
  final Topic topic;
  final Clock clock;
  final Settings settings;
  private final Ownership ownership;
  private final String owner;
  final ExecutorService stepThreads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "workflow-step");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, ExecutionRun> active = new ConcurrentHashMap<>();
  private final List<BiConsumer<Execution, ExecutionEvent>> listeners =
      new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService beats =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "workflow-heartbeat");
            t.setDaemon(true);
            return t;
          });

  public Executor(
      ExecutionStore store,
      Map<String, WorkflowDefinition> workflows,
      Topic topic,
      Clock clock,
      Settings settings) {
    this.store = Objects.requireNonNull(store, "store");
    this.workflows = Map.copyOf(workflows);
    this.topic = Objects.requireNonNull(topic, "topic");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.ownership = new Ownership(store, settings.staleAfter());
    this.owner = ownership.owner();
  }

  /**
   * Tells {@code listener} every event this process records: the start of an execution it creates
   * and every transition of one it runs, with the execution as it was then.
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

  /**
   * Publishes a notification that belongs to no one execution (the summary of a burst) to the
   * topic.
   */
  public List<Delivery> publish(Notification n) {
    return topic.publish(n);
  }

  /** The definition of a workflow, or an IllegalArgumentException naming the known ones. */
  public WorkflowDefinition workflow(String name) {
    WorkflowDefinition d = workflows.get(name);
    if (d == null) {
      throw new IllegalArgumentException(
          "unknown workflow '" + name + "' (known: " + String.join(", ", workflows.keySet()) + ")");
    }
    return d;
  }

  /**
   * Creates a running execution of a workflow. With {@code own} this process owns it and must run
   * it; without, it waits for a process that claims it (a background runner, the service).
   */
  public Execution start(String workflow, ObjectNode input, String trigger, boolean own) {
    WorkflowDefinition def = workflow(workflow);
    ObjectNode in =
        def.normalizeInput()
            .apply(input == null ? ExecutionStore.JSON.createObjectNode() : input.deepCopy());
    Instant now = clock.instant();
    String id =
        workflow + "-" + ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
    Execution e =
        new Execution(
            id,
            workflow,
            in,
            def.inputKey().apply(in),
            ExecutionStatus.RUNNING,
            trigger,
            now,
            Optional.empty(),
            now.plus(def.timeout()),
            0,
            ExecutionStore.JSON.createObjectNode(),
            Optional.empty(),
            Optional.empty(),
            own ? Optional.of(owner) : Optional.empty(),
            own ? Optional.of(now) : Optional.empty(),
            false);
    Execution created = store.create(e);
    if (!listeners.isEmpty()) {
      store.events(id).stream().findFirst().ifPresent(first -> tell(created, first));
    }
    return created;
  }

  void tell(Execution e, ExecutionEvent ev) {
    for (BiConsumer<Execution, ExecutionEvent> l : listeners) {
      try {
        l.accept(e, ev);
      } catch (RuntimeException ex) {
        LOG.warn("a listener of {} failed: {}", e.id(), ex.toString());
      }
    }
  }

  /**
   * True if nobody runs this execution any more: no owner, an owner on this host whose process is
   * gone, or an owner whose heartbeat is older than the stale limit by the database's clock (hosts'
   * clocks differ; the database's is the one all of them share).
   */
  public boolean isOrphaned(Execution e) {
    return ownership.isOrphaned(e);
  }

  /** Running executions that nobody runs any more. */
  public List<Execution> orphans() {
    return ownership.orphans();
  }

  /**
   * Takes over an orphaned execution; true if this process won it. The staleness of the owner's
   * heartbeat is checked in the same conditional write that changes the owner.
   */
  public boolean claim(Execution e) {
    return ownership.claim(e);
  }

  /** Asks for an execution to stop; one whose owner is gone is ended at once. */
  public boolean stop(String id) {
    Optional<Execution> e = store.get(id);
    if (e.isEmpty() || e.get().status().isFinal()) {
      return false;
    }
    store.requestStop(id);
    ExecutionRun mine = active.get(id);
    if (mine != null) {
      mine.stop(null, false);
    } else if (isOrphaned(e.get()) && claim(e.get())) {
      store.finish(
          id,
          owner,
          ExecutionStatus.ABORTED,
          null,
          ExecutionRun.STOPPED,
          clock.instant(),
          ExecutionEvent.Type.EXECUTION_ABORTED,
          null,
          ExecutionRun.STOPPED);
    }
    return true;
  }

  /**
   * Ends an execution this process owns because the process is going away (Ctrl-C, SIGTERM): it
   * ends ABORTED with the reason instead of staying RUNNING with nobody to run it. Waits up to
   * {@code wait} for the run to record that, and returns the execution as stored then.
   */
  public Execution interrupt(String id, String reason, Duration wait) {
    ExecutionRun r = active.get(id);
    if (r != null) {
      r.stop(reason, false);
      r.awaitEnd(wait);
    } else {
      // not being run (yet): end it here, if it is still ours
      store.finish(
          id,
          owner,
          ExecutionStatus.ABORTED,
          null,
          reason,
          clock.instant(),
          ExecutionEvent.Type.EXECUTION_ABORTED,
          null,
          reason);
    }
    return store.get(id).orElseThrow();
  }

  /**
   * Gives up every execution this process runs (the service stopping), so that the next process
   * resumes each at once at its unfinished step; waits up to {@code wait} for them to record it and
   * returns their ids.
   */
  public List<String> handOverAll(String reason, Duration wait) {
    List<ExecutionRun> runs = List.copyOf(active.values());
    for (ExecutionRun r : runs) {
      r.stop(reason, true);
    }
    long end = System.nanoTime() + wait.toNanos();
    List<String> ids = new ArrayList<>();
    for (ExecutionRun r : runs) {
      r.awaitEnd(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
      ids.add(r.id());
    }
    return ids;
  }

  /**
   * Runs an execution this process owns (or has claimed) from its unfinished step to the end,
   * telling {@code listener} every event, and returns it as stored then. If another process takes
   * it over meanwhile (this one was frozen past its lease), this one stops without writing or
   * notifying anything more and returns it as the other left it.
   */
  public Execution run(String id, Consumer<ExecutionEvent> listener) {
    Execution e =
        store.get(id).orElseThrow(() -> new IllegalArgumentException("no execution " + id));
    if (e.status().isFinal()) {
      return e;
    }
    if (!e.owner().map(owner::equals).orElse(false)) {
      throw new IllegalStateException("execution " + id + " is not owned by this process");
    }
    Consumer<ExecutionEvent> tell = listener == null ? ev -> {} : listener;
    WorkflowDefinition def = workflow(e.workflow());
    ExecutionRun run = new ExecutionRun(this, e, def, tell);
    if (active.putIfAbsent(id, run) != null) {
      throw new IllegalStateException("execution " + id + " is already being run by this process");
    }
    ScheduledFuture<?> beat =
        beats.scheduleAtFixedRate(
            run::heartbeat,
            settings.heartbeat().toMillis(),
            settings.heartbeat().toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      run.execute();
    } finally {
      beat.cancel(false);
      active.remove(id, run);
      run.ended();
    }
    return store.get(id).orElseThrow();
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
