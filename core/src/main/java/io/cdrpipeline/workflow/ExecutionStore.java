package io.cdrpipeline.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Executions and their events, in the catalog database, so they survive the process. Every write of
 * a running execution names the owner that makes it and changes nothing when another process owns
 * the execution now (a fence: a process frozen past its lease cannot write over the one that took
 * over). Heartbeats are stamped, and leases judged, on the database's clock, never on a host's own.
 */
public final class ExecutionStore {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "id, workflow, input, input_key, status, trigger_source, started_at, ended_at, "
          + "deadline, next_step, state, output, error, owner, heartbeat_at, stop_requested";

  /** What a heartbeat found. */
  public enum Lease {
    /** The heartbeat's process still owns the execution. */
    OWNED,
    /** It still owns it and someone asked for it to stop. */
    STOP_REQUESTED,
    /** Another process owns it now, or it ended: the heartbeat's process must stop running it. */
    LOST
  }

  /** The outcome of claiming an execution's one notification. */
  public enum NotificationClaim {
    /** This owner may send it now. */
    CLAIMED,
    /** An owner claimed it before (and may have sent it): it is not sent again. */
    CLAIMED_BEFORE,
    /** Another process owns the execution now. */
    LOST
  }

  private final Catalog catalog;
  private final ScheduleFires scheduleFires;
  private final ExecutionLeases leases;

  /** SQL for the database's current time, as stored. */
  private final String now;

  public ExecutionStore(Catalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.scheduleFires = new ScheduleFires(catalog);
    now = catalog.database().dialect().isoNow(false);
    this.leases = new ExecutionLeases(catalog, now, catalog.database().dialect().isoNow(true));
  }

  public Catalog catalog() {
    return catalog;
  }

  /**
   * Records a new running execution and its first event, unless one with the same input key is
   * running: then {@link AlreadyRunningException} names it. An owned execution gets its first
   * heartbeat from the database's clock ({@code heartbeatAt} of {@code e} is not used).
   */
  public Execution create(Execution e) {
    try {
      catalog.inTransaction(
          c -> {
            Catalog.exec(
                c,
                "INSERT INTO executions ("
                    + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    + (e.owner().isPresent() ? now : "NULL")
                    + ", ?)",
                e.id(),
                e.workflow(),
                json(e.input()),
                e.inputKey(),
                e.status().name(),
                e.trigger(),
                e.startedAt().toString(),
                null,
                e.deadline().toString(),
                e.nextStep(),
                json(e.state()),
                null,
                null,
                e.owner().orElse(null),
                0);
            ExecutionTotals.count(c, e.id(), ExecutionStatus.RUNNING, 1);
            ExecutionEvents.append(
                c,
                e.id(),
                e.startedAt(),
                ExecutionEvent.Type.EXECUTION_STARTED,
                null,
                "input " + json(e.input()) + " (" + e.trigger() + ")");
            return null;
          });
    } catch (CatalogException ex) {
      Optional<Execution> running = runningWithKey(e.inputKey());
      if (running.isPresent()) {
        throw new AlreadyRunningException(e.inputKey(), running.get().id());
      }
      throw ex;
    }
    return get(e.id()).orElseThrow();
  }

  /** The execution with this id. */
  public Optional<Execution> get(String id) {
    return catalog
        .query("SELECT " + COLUMNS + " FROM executions WHERE id = ?", ExecutionStore::execution, id)
        .stream()
        .findFirst();
  }

  /** The running execution of an input key, if any. */
  public Optional<Execution> runningWithKey(String inputKey) {
    return catalog
        .query(
            "SELECT " + COLUMNS + " FROM executions WHERE input_key = ? AND status = 'RUNNING'",
            ExecutionStore::execution,
            inputKey)
        .stream()
        .findFirst();
  }

  /** Executions, newest first, optionally of one workflow and one status. */
  public List<Execution> list(
      Optional<String> workflow, Optional<ExecutionStatus> status, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM executions WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    workflow.ifPresent(
        w -> {
          sql.append(" AND workflow = ?");
          args.add(w);
        });
    status.ifPresent(
        s -> {
          sql.append(" AND status = ?");
          args.add(s.name());
        });
    sql.append(" ORDER BY started_at DESC, id DESC LIMIT ").append(Math.max(1, limit));
    return catalog.query(sql.toString(), ExecutionStore::execution, args.toArray());
  }

  /** Every running execution. */
  public List<Execution> running() {
    return catalog.query(
        "SELECT " + COLUMNS + " FROM executions WHERE status = 'RUNNING' ORDER BY started_at",
        ExecutionStore::execution);
  }

  /** The input keys of a workflow's executions that succeeded. */
  public Set<String> succeededKeys(String workflow) {
    return Set.copyOf(
        catalog.query(
            "SELECT DISTINCT input_key FROM executions WHERE workflow = ? AND status = 'SUCCEEDED'",
            rs -> rs.getString(1),
            workflow));
  }

  /** The events of an execution in order. */
  public List<ExecutionEvent> events(String id) {
    return ExecutionEvents.of(catalog, id);
  }

  /** Appends an event if {@code owner} still owns the running execution; empty when it does not. */
  public Optional<ExecutionEvent> addEvent(
      String id, String owner, Instant at, ExecutionEvent.Type type, String step, String detail) {
    return catalog.inTransaction(
        c ->
            owns(c, id, owner)
                ? Optional.of(ExecutionEvents.append(c, id, at, type, step, detail))
                : Optional.empty());
  }

  /**
   * Records that the steps before {@code nextStep} are done, with their outputs, and the event of
   * the step that just succeeded, if {@code owner} still owns the running execution.
   */
  public Optional<ExecutionEvent> advance(
      String id,
      String owner,
      int nextStep,
      ObjectNode state,
      Instant at,
      String step,
      String detail) {
    return catalog.inTransaction(
        c -> {
          if (Catalog.exec(
                  c,
                  "UPDATE executions SET next_step = ?, state = ? WHERE id = ? AND owner = ? AND status = 'RUNNING'",
                  nextStep,
                  json(state),
                  id,
                  owner)
              == 0) {
            return Optional.empty();
          }
          ExecutionEvent.Type type = ExecutionEvent.Type.STEP_SUCCEEDED;
          return Optional.of(ExecutionEvents.append(c, id, at, type, step, detail));
        });
  }

  /**
   * Saves the state of a running execution while a step runs (its checkpoint) with a {@code
   * STEP_PROGRESS} event, if {@code owner} still owns it; empty when it does not.
   */
  public Optional<ExecutionEvent> checkpoint(
      String id, String owner, ObjectNode state, Instant at, String step, String detail) {
    return catalog.inTransaction(
        c -> {
          if (Catalog.exec(
                  c,
                  "UPDATE executions SET state = ? WHERE id = ? AND owner = ? AND status = 'RUNNING'",
                  json(state),
                  id,
                  owner)
              == 0) {
            return Optional.empty();
          }
          ExecutionEvent.Type type = ExecutionEvent.Type.STEP_PROGRESS;
          return Optional.of(ExecutionEvents.append(c, id, at, type, step, detail));
        });
  }

  /**
   * Ends a running execution that {@code owner} owns, with its last event; empty when it has
   * another owner or had ended.
   */
  public Optional<ExecutionEvent> finish(
      String id,
      String owner,
      ExecutionStatus status,
      ObjectNode output,
      String error,
      Instant at,
      ExecutionEvent.Type type,
      String step,
      String detail) {
    return catalog.inTransaction(
        c -> {
          if (Catalog.exec(
                  c,
                  "UPDATE executions SET status = ?, output = ?, error = ?, ended_at = ?, owner = NULL "
                      + "WHERE id = ? AND owner = ? AND status = 'RUNNING'",
                  status.name(),
                  output == null ? null : json(output),
                  error,
                  at.toString(),
                  id,
                  owner)
              == 0) {
            return Optional.empty();
          }
          ExecutionTotals.count(c, id, ExecutionStatus.RUNNING, -1);
          ExecutionTotals.count(c, id, status, 1);
          return Optional.of(ExecutionEvents.append(c, id, at, type, step, detail));
        });
  }

  /**
   * Gives up a running execution that {@code owner} owns, so the next process claims it at once and
   * resumes it at its unfinished step; empty when it has another owner or had ended.
   */
  public Optional<ExecutionEvent> release(
      String id, String owner, Instant at, String step, String detail) {
    return catalog.inTransaction(
        c -> {
          if (!owns(c, id, owner)) {
            return Optional.empty();
          }
          ExecutionEvent.Type type = ExecutionEvent.Type.EXECUTION_HANDED_OVER;
          ExecutionEvent event = ExecutionEvents.append(c, id, at, type, step, detail);
          Catalog.exec(
              c,
              "UPDATE executions SET owner = NULL, heartbeat_at = NULL WHERE id = ? AND owner = ?",
              id,
              owner);
          return Optional.of(event);
        });
  }

  /**
   * Makes {@code newOwner} the owner if the owner is still {@code expectedOwner} (null for none)
   * and, with {@code staleAfter}, its last heartbeat is older than that by the database's clock: of
   * several processes trying, exactly one wins.
   */
  public boolean claim(
      String id, String expectedOwner, String newOwner, Optional<Duration> staleAfter) {
    return leases.claim(id, expectedOwner, newOwner, staleAfter);
  }

  /**
   * True if {@code owner} owns the running execution and its last heartbeat is older than {@code
   * staleAfter} by the database's clock.
   */
  public boolean isStale(String id, String owner, Duration staleAfter) {
    return leases.isStale(id, owner, staleAfter);
  }

  /**
   * The running executions whose owner's last heartbeat is older than {@code staleAfter} by the
   * database's clock.
   */
  public Set<String> staleRunning(Duration staleAfter) {
    return leases.staleRunning(staleAfter);
  }

  /**
   * Proves {@code owner} is alive (on the database's clock) and says whether it still owns the
   * execution.
   */
  public Lease heartbeat(String id, String owner) {
    return leases.heartbeat(id, owner);
  }

  /**
   * Claims the execution's one notification (of success or of failure) for {@code owner}: a
   * conditional write before the send, so a process that lost the execution, or one that resumes it
   * after the notification was claimed, never sends it too.
   */
  public NotificationClaim claimNotification(String id, String owner) {
    return catalog.inTransaction(
        c -> {
          if (Catalog.exec(
                  c,
                  "UPDATE executions SET notified_by = ? WHERE id = ? AND owner = ? AND status = 'RUNNING' "
                      + "AND notified_by IS NULL",
                  owner,
                  id,
                  owner)
              == 1) {
            return NotificationClaim.CLAIMED;
          }
          return owns(c, id, owner) ? NotificationClaim.CLAIMED_BEFORE : NotificationClaim.LOST;
        });
  }

  /** The owner that claimed the execution's notification, if any did. */
  public Optional<String> notifiedBy(String id) {
    return catalog
        .query("SELECT notified_by FROM executions WHERE id = ?", rs -> rs.getString(1), id)
        .stream()
        .filter(Objects::nonNull)
        .findFirst();
  }

  /** Asks the owner of a running execution to stop it; false if it is not running. */
  public boolean requestStop(String id) {
    return catalog.run(
            "UPDATE executions SET stop_requested = 1 WHERE id = ? AND status = 'RUNNING'", id)
        == 1;
  }

  // ---------------------------------------------------------------- totals

  /** How many executions of a workflow have a status. */
  public record StatusCount(String workflow, ExecutionStatus status, long executions) {}

  /**
   * How many times a step of a workflow finished (succeeded or failed), and the seconds it took in
   * all.
   */
  public record StepTotal(String workflow, String step, long finished, double seconds) {}

  /**
   * Executions by workflow and status, from running totals that every process keeps as it writes: a
   * few rows, however many executions there are.
   */
  public List<StatusCount> statusCounts() {
    return ExecutionTotals.statusCounts(catalog);
  }

  /**
   * Finished steps and their durations by workflow and step, from running totals like {@link
   * #statusCounts()}.
   */
  public List<StepTotal> stepTotals() {
    return ExecutionTotals.stepTotals(catalog);
  }

  // ---------------------------------------------------------------- schedules

  /** The last fire time a schedule handled. */
  public Optional<Instant> lastFire(String schedule) {
    return scheduleFires.lastFire(schedule);
  }

  /** Records the first fire time of a schedule seen, if none is recorded yet. */
  public void initLastFire(String schedule, Instant at) {
    scheduleFires.initLastFire(schedule, at);
  }

  /**
   * Moves a schedule's last fire time forward to {@code fire}; true for exactly one of several
   * processes handling the same fire.
   */
  public boolean takeFire(String schedule, Instant fire) {
    return scheduleFires.takeFire(schedule, fire);
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * True if {@code owner} owns the running execution. An update, not a select: on PostgreSQL it
   * locks the row, so a claim cannot slip in before the caller's transaction commits (SQLite
   * transactions take the write lock at their start).
   */
  private static boolean owns(Connection c, String id, String owner) throws SQLException {
    return Catalog.exec(
            c,
            "UPDATE executions SET owner = owner WHERE id = ? AND owner = ? AND status = 'RUNNING'",
            id,
            owner)
        == 1;
  }

  private static Execution execution(ResultSet rs) throws SQLException {
    return new Execution(
        rs.getString(1),
        rs.getString(2),
        object(rs.getString(3)),
        rs.getString(4),
        ExecutionStatus.valueOf(rs.getString(5)),
        rs.getString(6),
        Instant.parse(rs.getString(7)),
        Optional.ofNullable(rs.getString(8)).map(Instant::parse),
        Instant.parse(rs.getString(9)),
        rs.getInt(10),
        object(rs.getString(11)),
        Optional.ofNullable(rs.getString(12)).map(ExecutionStore::object),
        Optional.ofNullable(rs.getString(13)),
        Optional.ofNullable(rs.getString(14)),
        Optional.ofNullable(rs.getString(15)).map(Instant::parse),
        rs.getInt(16) != 0);
  }

  static String json(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode object(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (JsonProcessingException | ClassCastException e) {
      throw new IllegalStateException("stored JSON is not an object: " + text, e);
    }
  }
}
