package io.cdrpipeline.table;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.model.ProcessedSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The processed table's entry among Iceberg's own tables of a JDBC catalog database, found and
 * removed as rows: dropping it through Iceberg would read the table's metadata first. Iceberg's
 * tables themselves go once nothing is left in them; other tables' rows in them stay.
 */
public final class JdbcCatalogEntry {
  private static final String TABLES = "iceberg_tables";
  private static final String NAMESPACES = "iceberg_namespace_properties";
  private static final String COUNT =
      "SELECT count(*) FROM " + TABLES + " WHERE table_namespace = ? AND table_name = ?";
  private static final String DELETE =
      "DELETE FROM " + TABLES + " WHERE table_namespace = ? AND table_name = ?";
  private static final String DELETE_EMPTY_NAMESPACE =
      "DELETE FROM "
          + NAMESPACES
          + " WHERE namespace = ? AND NOT EXISTS "
          + "(SELECT 1 FROM "
          + TABLES
          + " WHERE table_namespace = ?)";

  private JdbcCatalogEntry() {}

  /** True if the database has Iceberg's table of tables; the entry can be there only then. */
  public static boolean catalogPresent(Database db) {
    return db.tables().contains(TABLES);
  }

  /** True if the processed table has an entry in {@code namespace}. */
  public static boolean exists(Database db, String namespace) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(COUNT)) {
      ps.setString(1, namespace);
      ps.setString(2, ProcessedSchema.TABLE);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  /**
   * Deletes the processed table's entry in {@code namespace}, the namespace's properties when no
   * other table is left in it, and Iceberg's tables once they are empty.
   */
  public static void remove(Database db, String namespace) throws SQLException {
    try (Connection c = db.connection()) {
      Catalog.exec(c, DELETE, namespace, ProcessedSchema.TABLE);
      if (db.tables().contains(NAMESPACES)) {
        Catalog.exec(c, DELETE_EMPTY_NAMESPACE, namespace, namespace);
      }
      dropEmptyTables(c);
    }
  }

  /** Drops those of Iceberg's tables that exist and hold no row. */
  static void dropEmptyTables(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String t : List.of(TABLES, NAMESPACES)) {
        boolean empty;
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t)) {
          rs.next();
          empty = rs.getLong(1) == 0;
        } catch (SQLException missing) {
          continue;
        }
        if (empty) {
          s.execute("DROP TABLE " + t);
        }
      }
    }
  }
}
