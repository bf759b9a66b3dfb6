package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.catalog.CatalogException;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.schedule.ScheduleRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The product's tables in the catalog database (and the SQLite file, once nothing else is in it);
 * the database's other tables are kept.
 */
final class CatalogTables {
  /** Labels of the product's tables in the listing; others show their name. */
  private static final Map<String, String> TABLE_NAMES =
      Map.of(
          "executions", "executions",
          "execution_events", "execution events",
          "schedule_runs", "schedule fires",
          "quarantine", "quarantine records",
          "processed_days", "processed days",
          "catalog_partitions", "partitions",
          "catalog_tables", "tables",
          "etl_runs", "ETL runs");

  private final Config config;
  private final Untouchable untouchable;

  CatalogTables(Config config, Untouchable untouchable) {
    this.config = Objects.requireNonNull(config, "config is null");
    this.untouchable = Objects.requireNonNull(untouchable, "untouchable is null");
  }

  void survey(Footprint.TableFootprint table, List<Footprint.Part> parts, List<String> kept) {
    String url = config.catalogUrl();
    String name = "catalog " + Database.redact(url);
    Optional<Path> file = config.sqliteCatalog() ? sqliteFile(url) : Optional.empty();
    if (file.isPresent()) {
      Optional<String> u = untouchable.why(file.get());
      if (u.isPresent()) {
        if (Files.exists(file.get())) {
          kept.add(name + " (with its executions, schedules and quarantine records): " + u.get());
        }
        return;
      }
    } else if (config.sqliteCatalog()) {
      kept.add(
          name
              + ": not a plain file name, so its tables would be dropped but the file kept; nothing is done");
      return;
    }
    Optional<Database> opened = Database.openExisting(url);
    if (opened.isEmpty()) {
      return;
    }
    Database db = opened.get();
    Set<String> present;
    try {
      present = db.tables();
    } catch (CatalogException e) {
      if (file.isPresent()) {
        kept.add(name + ": not a catalog (" + e.getMessage() + ")");
        return;
      }
      throw e;
    }
    List<String> ours = new ArrayList<>();
    if (present.contains(Database.HISTORY_TABLE)) {
      // only a database the product migrated holds its tables; names alone prove nothing
      Set<String> names = new LinkedHashSet<>(table.catalogTables());
      names.addAll(Database.migrationTables());
      for (String t : names) {
        if (present.contains(t)) {
          ours.add(t);
        }
      }
    }
    long schedulerRows =
        db.dialect().quartzDelegate().isPresent() ? ScheduleRunner.schedulerRows(db) : 0;
    Set<String> others = new LinkedHashSet<>(present);
    ours.forEach(others::remove);
    // Iceberg's own tables: the table's entry in them goes with the "Iceberg catalog entry", and
    // they go too once empty; they may hold other Iceberg tables, which stay
    others.remove("iceberg_tables");
    others.remove("iceberg_namespace_properties");
    if (ours.isEmpty() && schedulerRows == 0) {
      if (file.isPresent() && present.isEmpty()) {
        parts.add(
            new Footprint.Part(name, "an empty database file", () -> deleteSqlite(file.get())));
      } else if (file.isPresent()) {
        kept.add(name + ": holds no table of cdr (" + String.join(", ", others) + ")");
      }
      return;
    }
    List<String> counts = new ArrayList<>();
    for (String t : ours) {
      if (!t.equals(Database.HISTORY_TABLE)) {
        long n = db.rows(t);
        if (n > 0) {
          counts.add(TABLE_NAMES.getOrDefault(t, t.replace('_', ' ')) + " " + n);
        }
      }
    }
    if (schedulerRows > 0) {
      counts.add("scheduler rows " + schedulerRows);
    }
    String detail =
        ours.size()
            + " tables of cdr"
            + (counts.isEmpty() ? "" : " (" + String.join(", ", counts) + ")")
            + (others.isEmpty() ? "" : "; its other tables are kept: " + String.join(", ", others));
    parts.add(
        new Footprint.Part(
            name,
            detail,
            () -> {
              if (db.dialect().quartzDelegate().isPresent()) {
                ScheduleRunner.removeSchedulerState(db);
              }
              db.dropTables(ours);
              String done = "dropped " + ours.size() + " tables";
              if (file.isPresent()) {
                if (db.tables().isEmpty()) {
                  return done + "; " + deleteSqlite(file.get());
                }
                return done + "; kept the file " + file.get() + ": it holds other tables";
              }
              return done;
            }));
  }

  /** The SQLite file of a catalog URL, when the URL names a plain file. */
  static Optional<Path> sqliteFile(String url) {
    return io.cdrpipeline.catalog.Dialect.of(url).file();
  }

  private static String deleteSqlite(Path file) throws IOException {
    for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
    }
    return "deleted " + file;
  }
}
