package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.JdbcCatalogEntry;
import io.cdrpipeline.table.TableSettings;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The processed table's entry in its Iceberg catalog (its files are listed with the table's
 * folder). For the JDBC catalog the entry is a row of Iceberg's own tables in the catalog database,
 * looked at without creating anything; for REST and Glue the catalog is asked.
 */
final class IcebergEntry {
  private final Config config;
  private final Untouchable untouchable;
  private final Function<StoreLocation, ObjectStore> stores;

  IcebergEntry(
      Config config, Untouchable untouchable, Function<StoreLocation, ObjectStore> stores) {
    this.config = Objects.requireNonNull(config, "config is null");
    this.untouchable = Objects.requireNonNull(untouchable, "untouchable is null");
    this.stores = Objects.requireNonNull(stores, "stores is null");
  }

  void survey(List<Footprint.Part> parts, List<String> kept) {
    String ns = config.database();
    if (config.table().catalog() == TableSettings.Kind.JDBC) {
      if (config.sqliteCatalog()
          && CatalogTables.sqliteFile(config.catalogUrl())
              .map(f -> untouchable.why(f).isPresent())
              .orElse(true)) {
        return; // the catalog file itself is kept, or is no plain file: see CatalogTables
      }
      Optional<Database> opened = Database.openExisting(config.catalogUrl());
      if (opened.isEmpty() || !JdbcCatalogEntry.catalogPresent(opened.get())) {
        return;
      }
      Database db = opened.get();
      try {
        if (!JdbcCatalogEntry.exists(db, ns)) {
          return;
        }
      } catch (SQLException e) {
        kept.add(
            "the Iceberg catalog entry of "
                + ProcessedSchema.TABLE
                + ": cannot read it ("
                + e.getMessage()
                + ")");
        return;
      }
      parts.add(
          new Footprint.Part(
              "Iceberg catalog entry",
              ns + "." + ProcessedSchema.TABLE + " in the jdbc catalog",
              () -> {
                // deleted as rows: dropping through Iceberg would read the table's metadata first,
                // and
                // other tables may share Iceberg's tables
                try {
                  JdbcCatalogEntry.remove(db, ns);
                } catch (SQLException e) {
                  throw new IOException(
                      "cannot remove the Iceberg catalog entry: " + e.getMessage(), e);
                }
                return "the Iceberg catalog entry " + ns + "." + ProcessedSchema.TABLE;
              }));
      return;
    }
    String kind = config.table().catalog().name().toLowerCase(Locale.ROOT);
    parts.add(
        new Footprint.Part(
            "Iceberg catalog entry",
            ns + "." + ProcessedSchema.TABLE + " in the " + kind + " catalog " + "(if it is there)",
            () -> {
              boolean was =
                  IcebergTable.dropFromCatalog(
                      config.table(),
                      config.catalogUrl(),
                      ns,
                      stores.apply(config.tableWarehouse()));
              return was
                  ? "the Iceberg catalog entry " + ns + "." + ProcessedSchema.TABLE
                  : "no entry of "
                      + ns
                      + "."
                      + ProcessedSchema.TABLE
                      + " in the "
                      + kind
                      + " catalog";
            }));
  }
}
