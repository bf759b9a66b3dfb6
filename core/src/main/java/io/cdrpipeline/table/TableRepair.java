package io.cdrpipeline.table;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the processed table back to its newest readable state: the newest metadata file that can
 * be read (registered with the catalog again when the catalog points at a missing or damaged one,
 * or lost the table), and in it the newest snapshot whose manifest list and manifests can all be
 * read. Snapshots that cannot be read are dropped from the metadata, without reading or deleting
 * any file; metadata files that cannot be read are set aside under {@code damaged-<time>/}. When
 * nothing readable is left, the table is set aside whole for a rebuild from the raw files.
 */
public final class TableRepair {
  private static final Logger LOG = LoggerFactory.getLogger(TableRepair.class);
  private static final DateTimeFormatter ASIDE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  /** What the repair found and did. */
  public enum Action {
    /** The table was readable: nothing was changed. */
    NONE,
    /** The catalog points at the table again, at its newest readable state. */
    REPAIRED,
    /** No metadata of the table could be read: it was set aside, the catalog no longer names it. */
    SET_ASIDE
  }

  /**
   * The outcome: what was done, the metadata file now current, the snapshot now current (empty for
   * a table without commits), the snapshots dropped (the days they committed, where known), what
   * was found damaged, and where damaged metadata was set aside.
   */
  public record Outcome(
      Action action,
      Optional<String> metadataFile,
      Optional<IcebergTable.SnapshotInfo> snapshot,
      List<IcebergTable.SnapshotInfo> droppedSnapshots,
      boolean registered,
      List<String> damage,
      Optional<String> setAsideTo) {
    public Outcome {
      Objects.requireNonNull(action, "action is null");
      droppedSnapshots = List.copyOf(droppedSnapshots);
      damage = List.copyOf(damage);
    }
  }

  private final Catalog catalog;
  private final TableIdentifier id;
  private final String location;
  private final FileIO io;
  private final List<String> damage = new ArrayList<>();

  private TableRepair(Catalog catalog, TableIdentifier id, String location, FileIO io) {
    this.catalog = catalog;
    this.id = id;
    this.location = location;
    this.io = io;
  }

  /** Repairs the table {@code <namespace>.processed_cdrs} in the catalog the settings name. */
  public static Outcome repair(
      TableSettings settings, String catalogUrl, String namespace, ObjectStore warehouse) {
    Objects.requireNonNull(settings, "settings is null");
    Objects.requireNonNull(catalogUrl, "catalogUrl is null");
    Objects.requireNonNull(namespace, "namespace is null");
    Objects.requireNonNull(warehouse, "warehouse is null");
    String warehouseLocation = IcebergTable.location(warehouse, "");
    FileIO io = IcebergTable.fileIo(warehouse);
    Catalog catalog = null;
    try {
      catalog = CatalogFactory.create(settings, catalogUrl, warehouseLocation, io);
      TableIdentifier id = TableIdentifier.of(Namespace.of(namespace), ProcessedSchema.TABLE);
      return new TableRepair(catalog, id, warehouseLocation + ProcessedSchema.TABLE, io).run();
    } catch (TableException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TableException(
          "cannot repair the processed table in the "
              + CatalogFactory.describe(settings, catalogUrl)
              + ": "
              + Database.redact(FailureText.withRootCause(e)),
          e);
    } finally {
      if (catalog != null) {
        CatalogFactory.closeQuietly(catalog);
      }
      io.close();
      SharedFileIO.release(io);
    }
  }

  private Outcome run() {
    Optional<Table> loaded;
    boolean inCatalog;
    try {
      loaded = Optional.of(catalog.loadTable(id));
      inCatalog = true;
    } catch (NoSuchTableException e) {
      loaded = Optional.empty();
      inCatalog = false;
    } catch (NotFoundException e) {
      found(FailureText.firstLine(e.getMessage()));
      loaded = Optional.empty();
      inCatalog = true;
    }
    if (loaded.isPresent()) {
      Table table = loaded.get();
      TableMetadata meta = ((HasTableOperations) table).operations().current();
      Optional<Snapshot> target = newestReadable(meta);
      if (target.isPresent() || meta.currentSnapshot() == null) {
        List<Snapshot> drop = unreadable(meta, target);
        if (drop.isEmpty() && damage.isEmpty()) {
          return new Outcome(
              Action.NONE,
              Optional.of(meta.metadataFileLocation()),
              target.map(s -> info(s, true)),
              List.of(),
              false,
              List.of(),
              Optional.empty());
        }
        return rollBack(table, target, drop, false, Optional.empty());
      }
    }
    // the metadata the catalog names cannot be used: the newest metadata file that can
    List<String> files = MetadataFile.list(io, location);
    List<String> unreadable = new ArrayList<>();
    for (String file : files) {
      TableMetadata meta;
      try {
        meta = TableMetadataParser.read(io, file);
      } catch (NotFoundException | UncheckedIOException e) {
        unreadable.add(file);
        found(FailureText.firstLine(e.getMessage()));
        continue;
      }
      Optional<Snapshot> target = newestReadable(meta);
      if (target.isEmpty() && meta.currentSnapshot() != null) {
        continue; // none of its snapshots can be read: an older metadata file may have one
      }
      Optional<String> aside =
          setAside(
              unreadable.stream()
                  .filter(u -> MetadataFile.version(u) > MetadataFile.version(file))
                  .toList());
      if (inCatalog) {
        catalog.dropTable(id, false); // only the pointer: no file is read or deleted
      }
      ensureNamespace();
      Table table = catalog.registerTable(id, file);
      TableMetadata registered = ((HasTableOperations) table).operations().current();
      return rollBack(table, target, unreadable(registered, target), true, aside);
    }
    if (files.isEmpty() && !inCatalog) {
      throw new TableException(
          "there is no processed table to repair: the catalog has no table "
              + id
              + " and "
              + location
              + "/metadata holds no metadata file ('cdr etl' makes a new table)",
          null);
    }
    // nothing readable is left: the table's metadata goes aside and the catalog forgets it
    Optional<String> aside = setAside(files);
    if (inCatalog) {
      catalog.dropTable(id, false);
    }
    return new Outcome(
        Action.SET_ASIDE, Optional.empty(), Optional.empty(), List.of(), false, damage, aside);
  }

  /**
   * Makes {@code target} the current snapshot and drops the snapshots that cannot be read, in one
   * commit of new metadata that reads no other file.
   */
  private Outcome rollBack(
      Table table,
      Optional<Snapshot> target,
      List<Snapshot> drop,
      boolean registered,
      Optional<String> aside) {
    TableOperations ops = ((HasTableOperations) table).operations();
    TableMetadata base = ops.current();
    Snapshot current = base.currentSnapshot();
    boolean moves =
        target.isPresent()
            && (current == null || current.snapshotId() != target.get().snapshotId());
    if (moves || !drop.isEmpty()) {
      TableMetadata.Builder b = TableMetadata.buildFrom(base);
      if (moves) {
        b.setBranchSnapshot(target.get().snapshotId(), SnapshotRef.MAIN_BRANCH);
      }
      if (!drop.isEmpty()) {
        b.removeSnapshots(drop);
      }
      ops.commit(base, b.build());
    }
    TableMetadata now = ops.refresh();
    List<IcebergTable.SnapshotInfo> dropped = new ArrayList<>();
    for (Snapshot s : drop) {
      dropped.add(info(s, false));
    }
    dropped.sort(Comparator.comparing(IcebergTable.SnapshotInfo::at));
    return new Outcome(
        Action.REPAIRED,
        Optional.of(now.metadataFileLocation()),
        Optional.ofNullable(now.currentSnapshot()).map(s -> info(s, true)),
        dropped,
        registered,
        damage,
        aside);
  }

  /**
   * The newest snapshot of the main branch's history whose manifest list and manifests can be read.
   */
  private Optional<Snapshot> newestReadable(TableMetadata meta) {
    for (Snapshot s = meta.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : meta.snapshot(s.parentId())) {
      Optional<String> why = unreadable(s, meta);
      if (why.isEmpty()) {
        return Optional.of(s);
      }
      found(why.get());
    }
    return Optional.empty();
  }

  /**
   * The snapshots to drop once {@code target} is current: every one that cannot be read
   * (maintenance and expiry read them all), and every one committed after the target on its branch
   * (the days they committed are the ones lost).
   */
  private List<Snapshot> unreadable(TableMetadata meta, Optional<Snapshot> target) {
    Set<Long> after = new LinkedHashSet<>();
    if (target.isPresent()) {
      for (Snapshot s = meta.currentSnapshot();
          s != null && s.snapshotId() != target.get().snapshotId();
          s = s.parentId() == null ? null : meta.snapshot(s.parentId())) {
        after.add(s.snapshotId());
      }
    }
    List<Snapshot> out = new ArrayList<>();
    for (Snapshot s : meta.snapshots()) {
      if (target.isPresent() && s.snapshotId() == target.get().snapshotId()) {
        continue;
      }
      if (after.contains(s.snapshotId())) {
        out.add(s);
        continue;
      }
      Optional<String> why = unreadable(s, meta);
      if (why.isPresent()) {
        found(why.get());
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Why a snapshot cannot be read (its manifest list or a manifest is missing or damaged), or
   * empty.
   */
  private Optional<String> unreadable(Snapshot s, TableMetadata meta) {
    try {
      for (ManifestFile m : s.allManifests(io)) {
        if (m.content() == ManifestContent.DATA) {
          try (CloseableIterable<org.apache.iceberg.DataFile> files =
              ManifestFiles.read(m, io, meta.specsById())) {
            files.forEach(f -> {});
          }
        } else {
          try (CloseableIterable<DeleteFile> files =
              ManifestFiles.readDeleteManifest(m, io, meta.specsById())) {
            files.forEach(f -> {});
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(FailureText.firstLine(e.getMessage()));
    } catch (RuntimeException e) {
      // a missing file, or one Avro cannot read: either way the snapshot cannot be planned
      return Optional.of(FailureText.withRootCause(e));
    }
  }

  private void found(String what) {
    if (!damage.contains(what)) {
      damage.add(what);
      LOG.info("found: {}", what);
    }
  }

  private IcebergTable.SnapshotInfo info(Snapshot s, boolean current) {
    Map<String, String> sum = s.summary();
    return new IcebergTable.SnapshotInfo(
        s.snapshotId(),
        Instant.ofEpochMilli(s.timestampMillis()),
        s.operation(),
        Optional.ofNullable(sum.get(IcebergTable.DAY)).map(LocalDate::parse),
        Optional.ofNullable(sum.get(IcebergTable.RUN)),
        0,
        0,
        0,
        0,
        current);
  }

  /**
   * Moves metadata files to {@code <table>/damaged-<time>/}, where nothing reads them; returns that
   * folder.
   */
  private Optional<String> setAside(List<String> files) {
    if (files.isEmpty()) {
      return Optional.empty();
    }
    String folder = location + "/damaged-" + ASIDE.format(Instant.now());
    for (String f : files) {
      String to = folder + "/" + IcebergTable.name(f);
      try {
        byte[] bytes;
        try (InputStream in = MetadataFile.raw(io, f).newStream()) {
          bytes = in.readAllBytes();
        } catch (NotFoundException e) {
          continue; // a missing file: nothing to keep
        }
        try (OutputStream out = io.newOutputFile(to).createOrOverwrite()) {
          out.write(bytes);
        }
        io.deleteFile(f);
      } catch (IOException e) {
        throw new TableException(
            "cannot set aside " + f + ": " + FailureText.firstLine(e.getMessage()), e);
      }
    }
    LOG.info("set aside {} metadata files in {}", files.size(), folder);
    return Optional.of(folder);
  }

  private void ensureNamespace() {
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(id.namespace())) {
      try {
        ns.createNamespace(id.namespace());
      } catch (AlreadyExistsException e) {
        // another process made it meanwhile
      }
    }
  }
}
