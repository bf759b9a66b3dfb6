package io.cdrpipeline.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** Statements on the catalog's database: a transaction, a query mapped row by row, one update. */
final class CatalogSql {
  private final Database db;

  CatalogSql(Database db) {
    this.db = db;
  }

  /** Runs work in one transaction, committing on success and rolling back on failure. */
  <T> T inTransaction(Catalog.Work<T> work) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CatalogException("catalog update failed: " + e.getMessage(), e);
    }
  }

  /** Runs a query and maps every row. */
  <T> List<T> query(String sql, Catalog.RowMapper<T> mapper, Object... args) {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new CatalogException("catalog query failed: " + e.getMessage(), e);
    }
  }

  /** Runs one statement in its own transaction. */
  int run(String sql, Object... args) {
    try (Connection c = db.connection()) {
      return exec(c, sql, args);
    } catch (SQLException e) {
      throw new CatalogException("catalog update failed: " + e.getMessage(), e);
    }
  }

  /** Runs one statement with its arguments on a connection (inside a caller's transaction). */
  static int exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        ps.setNull(i + 1, Types.VARCHAR);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (a instanceof Long n) {
        ps.setLong(i + 1, n);
      } else if (a instanceof Double n) {
        ps.setDouble(i + 1, n);
      } else {
        ps.setString(i + 1, a.toString());
      }
    }
  }
}
