package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.config.Config;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the product made for one config (the processed table, reports, catalog, state files), found
 * and removed without ever changing anything at or inside the CDR bucket or the additional bucket,
 * whatever the config says: what lies there is listed as kept instead. Each kind of thing has a
 * class of its own; this one puts their findings in order.
 */
final class Footprint {
  /** A folder of a bucket, by key prefix, that holds only what the product wrote into it. */
  record Prefix(StoreLocation bucket, String prefix) {
    Prefix {
      Objects.requireNonNull(bucket, "bucket is null");
      Objects.requireNonNull(prefix, "prefix is null");
    }

    String display() {
      return bucket.display() + "/" + prefix;
    }
  }

  /** Where a table's data lives, and the catalog tables that only it uses. */
  record TableFootprint(String table, List<Prefix> locations, List<String> catalogTables) {
    TableFootprint {
      locations = List.copyOf(locations);
      catalogTables = List.copyOf(catalogTables);
    }
  }

  /**
   * The processed table: its files and the catalog tables that record its committed days.
   * Everything destroy removes for the table is listed here, and only here.
   */
  static TableFootprint processedTable(Config config) {
    return new TableFootprint(
        ProcessedSchema.TABLE,
        List.of(new Prefix(config.tableWarehouse(), ProcessedSchema.TABLE + "/")),
        List.of("processed_days", "processed_files", "staged_days", "staged_quarantine"));
  }

  /** The monthly reports. */
  static Prefix reports(Config config) {
    return new Prefix(config.reportsBucket(), MonthlyReport.PREFIX);
  }

  /** One thing found, with what removing it does. */
  record Part(String what, String detail, Removal removal) {}

  /** Removes a part; returns what was removed, in a few words. */
  interface Removal {
    String remove() throws IOException;
  }

  /** What there is now: the parts to remove, and what is kept (with why). */
  record Survey(List<Part> parts, List<String> kept) {
    boolean empty() {
      return parts.isEmpty();
    }
  }

  private final Config config;
  private final Untouchable untouchable;
  private final Map<StoreLocation, ObjectStore> stores = new LinkedHashMap<>();
  private final IcebergEntry icebergEntry;
  private final StoredObjects objects;
  private final CatalogTables catalog;
  private final StateFiles state;
  private final LaunchCreated created;

  Footprint(Config config, Optional<Path> configFile) {
    this.config = Objects.requireNonNull(config, "config is null");
    this.untouchable = new Untouchable(config, configFile);
    LocalTree local = new LocalTree(untouchable);
    this.icebergEntry = new IcebergEntry(config, untouchable, this::store);
    this.objects = new StoredObjects(untouchable, local, this::store);
    this.catalog = new CatalogTables(config, untouchable);
    this.state = new StateFiles(config, untouchable, local);
    this.created = new LaunchCreated(config, untouchable, local);
  }

  /** The locations destroy never changes, for the user. */
  List<String> untouchableNames() {
    return untouchable.names();
  }

  Survey survey() throws IOException {
    List<Part> parts = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    TableFootprint table = processedTable(config);
    icebergEntry.survey(
        parts, kept); // before the files: a catalog may read the table's metadata to drop it
    for (Prefix p : table.locations()) {
      objects.survey("processed table " + table.table(), p, parts, kept);
    }
    objects.survey("reports", reports(config), parts, kept);
    catalog.survey(table, parts, kept);
    state.survey(parts, kept);
    created.survey(parts, kept);
    return new Survey(List.copyOf(parts), List.copyOf(kept));
  }

  private ObjectStore store(StoreLocation location) {
    return stores.computeIfAbsent(location, l -> ObjectStores.open(l, config.s3()));
  }

  /** Closes the stores opened for the survey. */
  void close() {
    stores.values().forEach(ObjectStore::close);
  }
}
