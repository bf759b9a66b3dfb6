package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.CatalogTable;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.model.ProcessedSchema;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = {
      "Show the catalog: its tables, or one table's columns, partitions and schema changes."
    })
public final class CatalogCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "TABLE", arity = "0..1", description = "A table to show in detail.")
  String table;

  @Override
  public Integer call() {
    AppContext ctx = Commands.context(spec);
    Catalog catalog = ctx.catalog();
    if (table == null) {
      for (String name : List.of(ProcessedSchema.RAW_TABLE, ProcessedSchema.TABLE)) {
        Optional<CatalogTable> t = catalog.table(name);
        if (t.isEmpty()) {
          ctx.out.printf("%-36s not crawled yet%n", name);
          continue;
        }
        ctx.out.printf(
            "%-36s %-8s %3d columns %6d partitions  %s%n",
            name,
            t.get().format(),
            catalog.columns(name).size(),
            catalog.partitions(name).size(),
            t.get().location());
      }
      List<ProcessedDay> days = catalog.processedDays();
      ctx.out.printf(
          "processed days: %d (%,d rows, %,d rejected files)%n",
          days.size(),
          days.stream().mapToLong(ProcessedDay::rowsWritten).sum(),
          days.stream().mapToLong(ProcessedDay::rejected).sum());
      return 0;
    }
    Optional<CatalogTable> t = catalog.table(table);
    if (t.isEmpty()) {
      throw new UserException(
          "no table '"
              + table
              + "' in the catalog (tables: "
              + ProcessedSchema.RAW_TABLE
              + ", "
              + ProcessedSchema.TABLE
              + ")");
    }
    ctx.out.printf(
        "table %s (%s) at %s, partitioned by %s%n",
        table, t.get().format(), t.get().location(), String.join(", ", t.get().partitionKeys()));
    ctx.out.println("columns:");
    for (CatalogColumn c : catalog.columns(table)) {
      ctx.out.printf("  %-32s %s%n", c.name(), c.type());
    }
    List<Partition> parts = catalog.partitions(table);
    ctx.out.printf("partitions: %d%n", parts.size());
    for (Partition p : parts) {
      ctx.out.printf(
          "  %-60s %8d objects %12s  crawled %s%n",
          p.source() + ":" + p.path(), p.objectCount(), Commands.bytes(p.bytes()), p.crawledAt());
    }
    List<SchemaChange> changes = catalog.schemaChanges(table);
    if (!changes.isEmpty()) {
      ctx.out.println("schema changes:");
      for (SchemaChange c : changes) {
        ctx.out.printf("  %s %s%n", c.at(), c);
      }
    }
    return 0;
  }
}
