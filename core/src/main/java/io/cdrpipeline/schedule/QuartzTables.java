package io.cdrpipeline.schedule;

import io.cdrpipeline.catalog.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.quartz.Scheduler;

/**
 * Quartz's tables in a PostgreSQL catalog, where the clustered job store keeps the product's
 * scheduler: created on first start, counted and removed by the lifecycle commands.
 */
final class QuartzTables {
  private static final String SCHEDULER_NAME = ScheduleRunner.SCHEDULER_NAME;

  /**
   * Quartz's tables on PostgreSQL, those that refer to others first (the order to empty or drop
   * them in).
   */
  private static final List<String> QUARTZ_TABLES =
      List.of(
          "qrtz_simple_triggers",
          "qrtz_cron_triggers",
          "qrtz_simprop_triggers",
          "qrtz_blob_triggers",
          "qrtz_fired_triggers",
          "qrtz_paused_trigger_grps",
          "qrtz_triggers",
          "qrtz_job_details",
          "qrtz_calendars",
          "qrtz_scheduler_state",
          "qrtz_locks");

  /** The rows of the product's scheduler in Quartz's tables (only a PostgreSQL catalog has any). */
  static long schedulerRows(Database db) {
    long n = 0;
    Set<String> present = db.tables();
    for (String t : QUARTZ_TABLES) {
      if (present.contains(t)) {
        n += count(db, "SELECT count(*) FROM " + t + " WHERE sched_name = ?", SCHEDULER_NAME);
      }
    }
    return n;
  }

  /**
   * Removes the product's scheduler from Quartz's tables, and then the tables themselves if no
   * other scheduler has rows in them (another application may share them in the database).
   */
  static void removeSchedulerState(Database db) {
    Set<String> present = db.tables();
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        for (String t : QUARTZ_TABLES) {
          if (present.contains(t)) {
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM " + t + " WHERE sched_name = ?")) {
              ps.setString(1, SCHEDULER_NAME);
              ps.executeUpdate();
            }
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot remove the scheduler's rows: " + e.getMessage(), e);
    }
    List<String> ours = QUARTZ_TABLES.stream().filter(present::contains).toList();
    for (String t : ours) {
      if (count(db, "SELECT count(*) FROM " + t, null) > 0) {
        return; // another scheduler still uses the tables
      }
    }
    db.dropTables(ours);
  }

  private static long count(Database db, String sql, String arg) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the scheduler's tables: " + e.getMessage(), e);
    }
  }

  /** Creates Quartz's tables on PostgreSQL unless they exist (one instance at a time). */
  static void create(Database database) {
    try (Connection c = database.connection()) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_lock(hashtext('cdr-quartz-tables'))");
      }
      try {
        boolean exists;
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT to_regclass('qrtz_job_details') IS NOT NULL")) {
          rs.next();
          exists = rs.getBoolean(1);
        }
        if (!exists) {
          String script;
          try (InputStream in =
              Scheduler.class.getResourceAsStream(
                  "/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            for (String stmt : script.replaceAll("(?m)^--.*$", "").split(";")) {
              String t = stmt.trim();
              String u = t.toUpperCase(Locale.ROOT);
              if (!t.isEmpty() && !u.startsWith("DROP") && !u.equals("COMMIT")) {
                s.execute(t);
              }
            }
          }
          c.commit();
          c.setAutoCommit(true);
        }
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_unlock(hashtext('cdr-quartz-tables'))");
        }
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot create the scheduler's tables: " + e.getMessage(), e);
    }
  }

  private QuartzTables() {}
}
