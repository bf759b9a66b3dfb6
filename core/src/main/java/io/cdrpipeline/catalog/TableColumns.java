package io.cdrpipeline.catalog;

import static io.cdrpipeline.catalog.CatalogSql.exec;

import io.cdrpipeline.model.ColumnType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The catalog's tables and their columns: registering, merging what a crawl observed, renaming, and
 * the record of schema changes.
 */
final class TableColumns {
  private final CatalogSql sql;

  TableColumns(CatalogSql sql) {
    this.sql = sql;
  }

  /** Registers a table, or updates its location, format and partition keys. */
  void ensureTable(CatalogTable table) {
    String now = Instant.now().toString();
    sql.run(
        "INSERT INTO catalog_tables (name, location, format, partition_keys, created_at, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET location = excluded.location, "
            + "format = excluded.format, partition_keys = excluded.partition_keys, updated_at = excluded.updated_at",
        table.name(),
        table.location(),
        table.format(),
        String.join(",", table.partitionKeys()),
        now,
        now);
  }

  /** The table with this name, if registered. */
  Optional<CatalogTable> table(String name) {
    return sql
        .query(
            "SELECT name, location, format, partition_keys FROM catalog_tables WHERE name = ?",
            rs ->
                new CatalogTable(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4).isEmpty()
                        ? List.of()
                        : Arrays.asList(rs.getString(4).split(","))),
            name)
        .stream()
        .findFirst();
  }

  /** The columns of a table in position order; empty if the table has none yet. */
  List<CatalogColumn> columns(String table) {
    return sql.query(
        "SELECT name, source_name, type, position FROM catalog_columns WHERE table_name = ? ORDER BY position",
        rs ->
            new CatalogColumn(
                rs.getString(1),
                rs.getString(2),
                ColumnType.valueOf(rs.getString(3)),
                rs.getInt(4)),
        table);
  }

  /**
   * Adds the observed columns a table lacks and widens those whose type conflicts; never drops.
   * Returns the changes, which are also logged and recorded.
   */
  List<SchemaChange> mergeColumns(String table, List<CatalogColumn> observed) {
    return sql.inTransaction(
        c -> {
          Map<String, CatalogColumn> existing = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, source_name, type, position FROM catalog_columns WHERE table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                existing.put(
                    rs.getString(1),
                    new CatalogColumn(
                        rs.getString(1),
                        rs.getString(2),
                        ColumnType.valueOf(rs.getString(3)),
                        rs.getInt(4)));
              }
            }
          }
          int next =
              existing.values().stream().mapToInt(CatalogColumn::position).max().orElse(-1) + 1;
          Instant now = Instant.now();
          List<SchemaChange> changes = new ArrayList<>();
          for (CatalogColumn col : observed) {
            CatalogColumn old = existing.get(col.name());
            if (old == null) {
              exec(
                  c,
                  "INSERT INTO catalog_columns (table_name, name, source_name, type, position, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                  table,
                  col.name(),
                  col.sourceName(),
                  col.type().name(),
                  next,
                  now.toString());
              CatalogColumn added =
                  new CatalogColumn(col.name(), col.sourceName(), col.type(), next++);
              existing.put(col.name(), added);
              changes.add(
                  new SchemaChange(
                      table, col.name(), SchemaChange.Kind.ADDED, null, col.type(), now));
            } else {
              ColumnType widened = old.type().widen(col.type());
              if (widened != old.type()) {
                exec(
                    c,
                    "UPDATE catalog_columns SET type = ? WHERE table_name = ? AND name = ?",
                    widened.name(),
                    table,
                    col.name());
                existing.put(
                    col.name(),
                    new CatalogColumn(old.name(), old.sourceName(), widened, old.position()));
                changes.add(
                    new SchemaChange(
                        table, col.name(), SchemaChange.Kind.WIDENED, old.type(), widened, now));
              }
            }
          }
          for (SchemaChange ch : changes) {
            exec(
                c,
                "INSERT INTO schema_changes (table_name, column_name, change, old_type, new_type, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
                ch.table(),
                ch.column(),
                ch.kind().name(),
                ch.oldType() == null ? null : ch.oldType().name(),
                ch.newType().name(),
                now.toString());
          }
          return changes;
        });
  }

  /**
   * Replaces a column by another name and field name, keeping its place; when the table already has
   * a column of that name, the two become one (of the wider type). A null replacement removes the
   * column. For names an older version gave that the tables cannot have.
   */
  void replaceColumn(String table, String name, CatalogColumn replacement) {
    sql.inTransaction(
        c -> {
          CatalogColumn old = null;
          CatalogColumn target = null;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, source_name, type, position FROM catalog_columns WHERE table_name = ? AND name IN (?, ?)")) {
            ps.setString(1, table);
            ps.setString(2, name);
            ps.setString(3, replacement == null ? name : replacement.name());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                CatalogColumn col =
                    new CatalogColumn(
                        rs.getString(1),
                        rs.getString(2),
                        ColumnType.valueOf(rs.getString(3)),
                        rs.getInt(4));
                if (col.name().equals(name)) {
                  old = col;
                }
                if (replacement != null && col.name().equals(replacement.name())) {
                  target = col;
                }
              }
            }
          }
          if (old == null) {
            return null;
          }
          if (replacement == null) {
            exec(c, "DELETE FROM catalog_columns WHERE table_name = ? AND name = ?", table, name);
          } else if (target != null && !target.name().equals(name)) {
            exec(c, "DELETE FROM catalog_columns WHERE table_name = ? AND name = ?", table, name);
            exec(
                c,
                "UPDATE catalog_columns SET type = ? WHERE table_name = ? AND name = ?",
                target.type().widen(replacement.type()).name(),
                table,
                target.name());
          } else {
            exec(
                c,
                "UPDATE catalog_columns SET name = ?, source_name = ?, type = ? WHERE table_name = ? AND name = ?",
                replacement.name(),
                replacement.sourceName(),
                replacement.type().name(),
                table,
                name);
          }
          return null;
        });
  }

  /** Every recorded schema change of a table, oldest first. */
  List<SchemaChange> schemaChanges(String table) {
    return sql.query(
        "SELECT table_name, column_name, change, old_type, new_type, changed_at FROM schema_changes "
            + "WHERE table_name = ? ORDER BY changed_at",
        rs ->
            new SchemaChange(
                rs.getString(1),
                rs.getString(2),
                SchemaChange.Kind.valueOf(rs.getString(3)),
                rs.getString(4) == null ? null : ColumnType.valueOf(rs.getString(4)),
                ColumnType.valueOf(rs.getString(5)),
                Instant.parse(rs.getString(6))),
        table);
  }
}
