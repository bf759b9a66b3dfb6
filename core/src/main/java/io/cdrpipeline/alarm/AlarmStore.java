package io.cdrpipeline.alarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.CatalogException;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.failure.FailureText;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The firings of the alarms in the catalog ({@code alarm_firings}). At most one firing per alarm is
 * open; opening and resolving are each one statement whose row count says whether this caller made
 * the change, so a change is told once however many evaluators run.
 */
public final class AlarmStore {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS =
      "id, alarm, rule, state, fired_at, resolved_at, window_from, window_to, connectors, evidence,"
          + " acknowledged_at, acknowledged_by";

  private final Database db;

  public AlarmStore(Database db) {
    this.db = db;
  }

  /** What an evaluation changed. */
  public enum Change {
    /** The alarm started firing: a new firing was opened. */
    FIRED,
    /** The alarm was firing and still is: the open firing's window and evidence were updated. */
    STILL_FIRING,
    /** The alarm stopped firing: its open firing was resolved. */
    RESOLVED,
    /** Not firing, and was not. */
    QUIET
  }

  /**
   * Records that an alarm fires over a window: opens a firing, or updates the open one (unless this
   * window ends before the one it holds: an older window changes nothing).
   */
  public Change fire(
      AlarmDefinition a,
      Instant from,
      Instant to,
      List<String> connectors,
      Evidence evidence,
      Instant now) {
    String connectorsJson = json(connectors);
    String evidenceJson = json(evidence);
    try (Connection c = db.connection()) {
      Optional<AlarmFiring> open = open(c, a.name());
      if (open.isPresent()) {
        if (!to.isBefore(open.get().windowTo())) {
          update(
              c,
              "UPDATE alarm_firings SET window_from = ?, window_to = ?, connectors = ?, evidence = ?"
                  + " WHERE id = ? AND state = 'FIRING'",
              iso(from),
              iso(to),
              connectorsJson,
              evidenceJson,
              open.get().id());
        }
        return Change.STILL_FIRING;
      }
      try {
        update(
            c,
            "INSERT INTO alarm_firings ("
                + COLUMNS
                + ") VALUES (?, ?, ?, 'FIRING', ?, NULL, ?, ?, ?, ?, NULL, NULL)",
            newId(),
            a.name(),
            a.rule().id(),
            iso(now),
            iso(from),
            iso(to),
            connectorsJson,
            evidenceJson);
        return Change.FIRED;
      } catch (SQLException e) {
        // another evaluator opened it first (the unique index of open firings)
        if (open(c, a.name()).isPresent()) {
          return Change.STILL_FIRING;
        }
        throw e;
      }
    } catch (SQLException e) {
      throw failed("record a firing of alarm " + a.name(), e);
    }
  }

  /**
   * Records that an alarm does not fire over a window: resolves its open firing, unless that firing
   * holds a window ending after this one.
   */
  public Change clear(AlarmDefinition a, Instant to, Instant now) {
    try (Connection c = db.connection()) {
      Optional<AlarmFiring> open = open(c, a.name());
      if (open.isEmpty() || to.isBefore(open.get().windowTo())) {
        return open.isEmpty() ? Change.QUIET : Change.STILL_FIRING;
      }
      int n =
          update(
              c,
              "UPDATE alarm_firings SET state = 'RESOLVED', resolved_at = ? WHERE id = ? AND state = 'FIRING'",
              iso(now),
              open.get().id());
      return n == 1 ? Change.RESOLVED : Change.QUIET;
    } catch (SQLException e) {
      throw failed("resolve alarm " + a.name(), e);
    }
  }

  /** The open firing of an alarm, if it fires. */
  public Optional<AlarmFiring> open(String alarm) {
    try (Connection c = db.connection()) {
      return open(c, alarm);
    } catch (SQLException e) {
      throw failed("read alarm " + alarm, e);
    }
  }

  private Optional<AlarmFiring> open(Connection c, String alarm) throws SQLException {
    List<AlarmFiring> l =
        query(
            c,
            "SELECT " + COLUMNS + " FROM alarm_firings WHERE alarm = ? AND state = 'FIRING'",
            alarm);
    return l.stream().findFirst();
  }

  /** A firing by its id. */
  public Optional<AlarmFiring> get(String id) {
    try (Connection c = db.connection()) {
      return query(c, "SELECT " + COLUMNS + " FROM alarm_firings WHERE id = ?", id).stream()
          .findFirst();
    } catch (SQLException e) {
      throw failed("read alarm firing " + id, e);
    }
  }

  /**
   * The firings, newest first: the open ones only with {@code state}, at most {@code limit} of
   * them.
   */
  public List<AlarmFiring> list(Optional<AlarmFiring.State> state, int limit) {
    try (Connection c = db.connection()) {
      String where = state.map(s -> " WHERE state = ?").orElse("");
      Object[] args = state.map(s -> new Object[] {s.name()}).orElse(new Object[0]);
      List<AlarmFiring> all =
          query(
              c,
              "SELECT "
                  + COLUMNS
                  + " FROM alarm_firings"
                  + where
                  + " ORDER BY fired_at DESC, id LIMIT "
                  + Math.max(1, limit),
              args);
      return all;
    } catch (SQLException e) {
      throw failed("list the alarms", e);
    }
  }

  /**
   * Acknowledges a firing (once: a second acknowledgement keeps the first); false when there is no
   * such firing.
   */
  public boolean acknowledge(String id, String by, Instant now) {
    try (Connection c = db.connection()) {
      update(
          c,
          "UPDATE alarm_firings SET acknowledged_at = ?, acknowledged_by = ?"
              + " WHERE id = ? AND acknowledged_at IS NULL",
          iso(now),
          by,
          id);
      return !query(c, "SELECT " + COLUMNS + " FROM alarm_firings WHERE id = ?", id).isEmpty();
    } catch (SQLException e) {
      throw failed("acknowledge alarm " + id, e);
    }
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i] == null ? null : args[i].toString());
      }
      return ps.executeUpdate();
    }
  }

  private static List<AlarmFiring> query(Connection c, String sql, Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i].toString());
      }
      List<AlarmFiring> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new AlarmFiring(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  AlarmFiring.State.valueOf(rs.getString(4)),
                  instant(rs.getString(5)),
                  Optional.ofNullable(rs.getString(6)).map(AlarmStore::instant),
                  instant(rs.getString(7)),
                  instant(rs.getString(8)),
                  strings(rs.getString(9)),
                  evidence(rs.getString(10)),
                  Optional.ofNullable(rs.getString(11)).map(AlarmStore::instant),
                  Optional.ofNullable(rs.getString(12))));
        }
      }
      return out;
    }
  }

  private static String newId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return "a-" + HexFormat.of().formatHex(b);
  }

  static String iso(Instant t) {
    return ISO.format(t);
  }

  private static Instant instant(String s) {
    return Instant.parse(s);
  }

  private static List<String> strings(String json) {
    try {
      List<String> out = new ArrayList<>();
      JSON.readTree(json).forEach(n -> out.add(n.asText()));
      return out;
    } catch (JsonProcessingException e) {
      throw new CatalogException("unreadable connectors of an alarm firing: " + json, e);
    }
  }

  private static String json(List<String> strings) {
    ArrayNode a = JSON.createArrayNode();
    strings.forEach(a::add);
    return a.toString();
  }

  /** The evidence as stored: {@code {"query":..,"columns":[..],"rows":[[..]..]}}. */
  static String json(Evidence e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("query", e.query());
    ArrayNode cols = o.putArray("columns");
    e.columns().forEach(cols::add);
    ArrayNode rows = o.putArray("rows");
    for (List<Object> r : e.rows()) {
      ArrayNode row = rows.addArray();
      for (Object v : r) {
        if (v == null) {
          row.addNull();
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
          row.add(((Number) v).longValue());
        } else if ((v instanceof Double || v instanceof Float)
            && Double.isFinite(((Number) v).doubleValue())) {
          row.add(((Number) v).doubleValue());
        } else if (v instanceof java.math.BigDecimal d) {
          row.add(d);
        } else if (v instanceof Boolean b) {
          row.add(b);
        } else {
          row.add(v.toString());
        }
      }
    }
    return o.toString();
  }

  private static Evidence evidence(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      List<String> cols = new ArrayList<>();
      n.path("columns").forEach(c -> cols.add(c.asText()));
      List<List<Object>> rows = new ArrayList<>();
      for (JsonNode r : n.path("rows")) {
        List<Object> row = new ArrayList<>();
        for (JsonNode v : r) {
          row.add(
              v.isNull()
                  ? null
                  : v.isIntegralNumber()
                      ? (Object) v.asLong()
                      : v.isNumber()
                          ? (Object) v.asDouble()
                          : v.isBoolean() ? v.asBoolean() : v.asText());
        }
        rows.add(row);
      }
      return new Evidence(n.path("query").asText(), cols, rows);
    } catch (JsonProcessingException e) {
      throw new CatalogException("unreadable evidence of an alarm firing", e);
    }
  }

  private static CatalogException failed(String what, SQLException e) {
    return new CatalogException("cannot " + what + ": " + FailureText.rootMessage(e), e);
  }
}
