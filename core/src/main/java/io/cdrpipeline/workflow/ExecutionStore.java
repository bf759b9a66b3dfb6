package io.cdrpipeline.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Executions and their events, in the catalog database, so they survive the process. */
public final class ExecutionStore {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "id, workflow, input, input_key, status, trigger_source, started_at, ended_at, "
      + "deadline, next_step, state, output, error, owner, heartbeat_at, stop_requested";

  private final Catalog catalog;

  public ExecutionStore(Catalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  public Catalog catalog() {
    return catalog;
  }

  /**
   * Records a new running execution and its first event, unless one with the same input key
   * is running: then {@link AlreadyRunningException} names it.
   */
  public Execution create(Execution e) {
    try {
      catalog.inTransaction(c -> {
        Catalog.exec(c, "INSERT INTO executions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            e.id(), e.workflow(), json(e.input()), e.inputKey(), e.status().name(), e.trigger(),
            e.startedAt().toString(), null, e.deadline().toString(), e.nextStep(), json(e.state()), null, null,
            e.owner().orElse(null), e.heartbeatAt().map(Instant::toString).orElse(null), 0);
        event(c, e.id(), e.startedAt(), ExecutionEvent.Type.EXECUTION_STARTED, null, "input " + json(e.input())
            + " (" + e.trigger() + ")");
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
    return catalog.query("SELECT " + COLUMNS + " FROM executions WHERE id = ?", ExecutionStore::execution, id)
        .stream().findFirst();
  }

  /** The running execution of an input key, if any. */
  public Optional<Execution> runningWithKey(String inputKey) {
    return catalog.query("SELECT " + COLUMNS + " FROM executions WHERE input_key = ? AND status = 'RUNNING'",
        ExecutionStore::execution, inputKey).stream().findFirst();
  }

  /** Executions, newest first, optionally of one workflow and one status. */
  public List<Execution> list(Optional<String> workflow, Optional<ExecutionStatus> status, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM executions WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    workflow.ifPresent(w -> {
      sql.append(" AND workflow = ?");
      args.add(w);
    });
    status.ifPresent(s -> {
      sql.append(" AND status = ?");
      args.add(s.name());
    });
    sql.append(" ORDER BY started_at DESC, id DESC LIMIT ").append(Math.max(1, limit));
    return catalog.query(sql.toString(), ExecutionStore::execution, args.toArray());
  }

  /** Every running execution. */
  public List<Execution> running() {
    return catalog.query("SELECT " + COLUMNS + " FROM executions WHERE status = 'RUNNING' ORDER BY started_at",
        ExecutionStore::execution);
  }

  /** The input keys of a workflow's executions that succeeded. */
  public Set<String> succeededKeys(String workflow) {
    return Set.copyOf(catalog.query("SELECT DISTINCT input_key FROM executions WHERE workflow = ? AND status = 'SUCCEEDED'",
        rs -> rs.getString(1), workflow));
  }

  /** The events of an execution in order. */
  public List<ExecutionEvent> events(String id) {
    return catalog.query("SELECT execution_id, seq, at, type, step, detail FROM execution_events WHERE execution_id = ? ORDER BY seq",
        rs -> new ExecutionEvent(rs.getString(1), rs.getInt(2), Instant.parse(rs.getString(3)),
            ExecutionEvent.Type.valueOf(rs.getString(4)), Optional.ofNullable(rs.getString(5)),
            Optional.ofNullable(rs.getString(6))),
        id);
  }

  /** Appends an event and returns it. */
  public ExecutionEvent addEvent(String id, Instant at, ExecutionEvent.Type type, String step, String detail) {
    int seq = catalog.inTransaction(c -> event(c, id, at, type, step, detail));
    return new ExecutionEvent(id, seq, at, type, Optional.ofNullable(step), Optional.ofNullable(detail));
  }

  /** Records that the steps before {@code nextStep} are done, with their outputs. */
  public void advance(String id, int nextStep, ObjectNode state) {
    catalog.run("UPDATE executions SET next_step = ?, state = ? WHERE id = ? AND status = 'RUNNING'",
        nextStep, json(state), id);
  }

  /** Ends an execution; returns false if it had already ended. */
  public boolean finish(String id, ExecutionStatus status, ObjectNode output, String error, Instant at) {
    return catalog.run("UPDATE executions SET status = ?, output = ?, error = ?, ended_at = ?, owner = NULL "
            + "WHERE id = ? AND status = 'RUNNING'",
        status.name(), output == null ? null : json(output), error, at.toString(), id) == 1;
  }

  /**
   * Makes {@code newOwner} the owner if the owner is still {@code expectedOwner} (null for
   * none): of several processes trying, exactly one wins.
   */
  public boolean claim(String id, String expectedOwner, String newOwner, Instant at) {
    if (expectedOwner == null) {
      return catalog.run("UPDATE executions SET owner = ?, heartbeat_at = ? WHERE id = ? AND status = 'RUNNING' AND owner IS NULL",
          newOwner, at.toString(), id) == 1;
    }
    return catalog.run("UPDATE executions SET owner = ?, heartbeat_at = ? WHERE id = ? AND status = 'RUNNING' AND owner = ?",
        newOwner, at.toString(), id, expectedOwner) == 1;
  }

  /** Proves the owner is alive; returns true when a stop was requested. */
  public boolean heartbeat(String id, String owner, Instant at) {
    catalog.run("UPDATE executions SET heartbeat_at = ? WHERE id = ? AND owner = ?", at.toString(), id, owner);
    return catalog.query("SELECT stop_requested FROM executions WHERE id = ?", rs -> rs.getInt(1), id)
        .stream().anyMatch(v -> v != 0);
  }

  /** Asks the owner of a running execution to stop it; false if it is not running. */
  public boolean requestStop(String id) {
    return catalog.run("UPDATE executions SET stop_requested = 1 WHERE id = ? AND status = 'RUNNING'", id) == 1;
  }

  // ---------------------------------------------------------------- schedules

  /** The last fire time a schedule handled. */
  public Optional<Instant> lastFire(String schedule) {
    return catalog.query("SELECT last_fire FROM schedule_runs WHERE schedule_name = ?",
        rs -> Instant.parse(rs.getString(1)), schedule).stream().findFirst();
  }

  /** Records the first fire time of a schedule seen, if none is recorded yet. */
  public void initLastFire(String schedule, Instant at) {
    catalog.run("INSERT INTO schedule_runs (schedule_name, last_fire) VALUES (?, ?) ON CONFLICT (schedule_name) DO NOTHING",
        schedule, at.toString());
  }

  /**
   * Moves a schedule's last fire time forward to {@code fire}; true for exactly one of several
   * processes handling the same fire.
   */
  public boolean takeFire(String schedule, Instant fire) {
    initLastFire(schedule, Instant.EPOCH);
    return catalog.run("UPDATE schedule_runs SET last_fire = ? WHERE schedule_name = ? AND last_fire < ?",
        fire.toString(), schedule, fire.toString()) == 1;
  }

  // ---------------------------------------------------------------- plumbing

  private static int event(Connection c, String id, Instant at, ExecutionEvent.Type type, String step, String detail)
      throws SQLException {
    int seq;
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM execution_events WHERE execution_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        seq = rs.getInt(1);
      }
    }
    Catalog.exec(c, "INSERT INTO execution_events (execution_id, seq, at, type, step, detail) VALUES (?, ?, ?, ?, ?, ?)",
        id, seq, at.toString(), type.name(), step, detail);
    return seq;
  }

  private static Execution execution(ResultSet rs) throws SQLException {
    return new Execution(rs.getString(1), rs.getString(2), object(rs.getString(3)), rs.getString(4),
        ExecutionStatus.valueOf(rs.getString(5)), rs.getString(6), Instant.parse(rs.getString(7)),
        Optional.ofNullable(rs.getString(8)).map(Instant::parse), Instant.parse(rs.getString(9)), rs.getInt(10),
        object(rs.getString(11)), Optional.ofNullable(rs.getString(12)).map(ExecutionStore::object),
        Optional.ofNullable(rs.getString(13)), Optional.ofNullable(rs.getString(14)),
        Optional.ofNullable(rs.getString(15)).map(Instant::parse), rs.getInt(16) != 0);
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
