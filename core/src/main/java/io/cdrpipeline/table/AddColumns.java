package io.cdrpipeline.table;

import io.cdrpipeline.model.Column;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;

/**
 * Schema evolution: adds the columns the table lacks, each a new optional column, never a type
 * change.
 */
final class AddColumns {
  private AddColumns() {}

  /** Adds the columns of {@code wanted} the schema lacks; the names added. */
  static List<String> add(Table table, List<Column> wanted) {
    // another writer changed the schema meanwhile: take its columns and add what is still missing
    return CommitRetry.run(
        table,
        () -> {
          Set<String> have = new HashSet<>(TableSchema.columns(table.schema()).keySet());
          List<Column> missing = wanted.stream().filter(c -> !have.contains(c.name())).toList();
          if (missing.isEmpty()) {
            return List.<String>of();
          }
          UpdateSchema u = table.updateSchema();
          for (Column c : missing) {
            u.addColumn(c.name(), TableSchema.type(c.type()));
          }
          u.commit();
          table.refresh();
          return missing.stream().map(Column::name).toList();
        },
        IllegalArgumentException.class);
  }
}
