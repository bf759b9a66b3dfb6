package io.cdrpipeline.catalog;

import static io.cdrpipeline.catalog.CatalogSql.exec;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The partitions of the catalog's tables (day folders found by the crawlers, days of the processed
 * table).
 */
final class Partitions {
  private final CatalogSql sql;

  Partitions(CatalogSql sql) {
    this.sql = sql;
  }

  /** Registers partitions, replacing the counts of those already known. */
  void upsertPartitions(List<Partition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    sql.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO catalog_partitions (table_name, source, path, voice_connector_id, year, month, day, "
                      + "object_count, bytes, crawled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      + "ON CONFLICT (table_name, source, path) DO UPDATE SET object_count = excluded.object_count, "
                      + "bytes = excluded.bytes, crawled_at = excluded.crawled_at")) {
            for (Partition p : partitions) {
              ps.setString(1, p.table());
              ps.setString(2, p.source());
              ps.setString(3, p.path());
              ps.setString(4, p.voiceConnectorId());
              ps.setInt(5, p.date().getYear());
              ps.setInt(6, p.date().getMonthValue());
              ps.setInt(7, p.date().getDayOfMonth());
              ps.setLong(8, p.objectCount());
              ps.setLong(9, p.bytes());
              ps.setString(10, p.crawledAt().toString());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /** Removes partitions of a table found in one source bucket. */
  void removePartitions(String table, String source, Set<String> paths) {
    if (paths.isEmpty()) {
      return;
    }
    sql.inTransaction(
        c -> {
          for (String path : paths) {
            exec(
                c,
                "DELETE FROM catalog_partitions WHERE table_name = ? AND source = ? AND path = ?",
                table,
                source,
                path);
          }
          return null;
        });
  }

  /** The partitions of a table, by date then path. */
  List<Partition> partitions(String table) {
    return sql.query(
        "SELECT table_name, source, path, voice_connector_id, year, month, day, object_count, bytes, crawled_at "
            + "FROM catalog_partitions WHERE table_name = ? ORDER BY year, month, day, source, path",
        Partitions::partition,
        table);
  }

  /** The partitions of a table found in one source bucket. */
  List<Partition> partitions(String table, String source) {
    return sql.query(
        "SELECT table_name, source, path, voice_connector_id, year, month, day, object_count, bytes, crawled_at "
            + "FROM catalog_partitions WHERE table_name = ? AND source = ? ORDER BY year, month, day, path",
        Partitions::partition,
        table,
        source);
  }

  /** The latest partition date per voice connector (null key for tables without connectors). */
  Map<String, LocalDate> latestPartitionDates(String table, String source) {
    Map<String, LocalDate> latest = new LinkedHashMap<>();
    for (Object[] row :
        sql.query(
            "SELECT voice_connector_id, MAX(year * 10000 + month * 100 + day) FROM catalog_partitions "
                + "WHERE table_name = ? AND source = ? GROUP BY voice_connector_id",
            rs -> new Object[] {rs.getString(1), rs.getLong(2)},
            table,
            source)) {
      long v = (Long) row[1];
      latest.put(
          (String) row[0], LocalDate.of((int) (v / 10000), (int) (v / 100 % 100), (int) (v % 100)));
    }
    return latest;
  }

  /** The paths of a table's partitions from one source. */
  Set<String> partitionPaths(String table, String source) {
    return new HashSet<>(
        sql.query(
            "SELECT path FROM catalog_partitions WHERE table_name = ? AND source = ?",
            rs -> rs.getString(1),
            table,
            source));
  }

  private static Partition partition(ResultSet rs) throws SQLException {
    return new Partition(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        LocalDate.of(rs.getInt(5), rs.getInt(6), rs.getInt(7)),
        rs.getLong(8),
        rs.getLong(9),
        Instant.parse(rs.getString(10)));
  }
}
