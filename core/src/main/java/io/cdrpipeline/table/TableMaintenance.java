package io.cdrpipeline.table;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table's upkeep: snapshot expiry, the sweep of orphan files, and the manifest rewrite (see
 * {@link IcebergTable#maintain(Duration, Instant, Predicate)}).
 */
final class TableMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  private final Table table;
  private final FileIO io;

  TableMaintenance(Table table, FileIO io) {
    this.table = table;
    this.io = io;
  }

  IcebergTable.Maintenance run(Duration retention, Instant now, Predicate<String> failedRun) {
    Objects.requireNonNull(retention, "retention is null");
    Objects.requireNonNull(failedRun, "failedRun is null");
    try {
      return maintain(retention, now, failedRun);
    } catch (NotFoundException e) {
      throw TableErrors.damaged(e);
    }
  }

  private IcebergTable.Maintenance maintain(
      Duration retention, Instant now, Predicate<String> failedRun) {
    table.refresh();
    long cutoff = now.minus(retention).toEpochMilli();
    int before = countSnapshots();
    // a snapshot is read until the next one replaces it: it expires once that one is older than
    // the retention (Iceberg's expireOlderThan counts from the snapshot's own commit, which would
    // delete the files of a day written long ago the moment it is replaced)
    long expireBefore = Long.MIN_VALUE;
    for (Snapshot s : table.snapshots()) {
      if (s.timestampMillis() < cutoff) {
        expireBefore = Math.max(expireBefore, s.timestampMillis());
      }
    }
    if (table.currentSnapshot() != null && expireBefore != Long.MIN_VALUE) {
      table
          .expireSnapshots()
          .expireOlderThan(expireBefore)
          .retainLast(1)
          .cleanExpiredFiles(true)
          .commit();
      table.refresh();
    }
    int expired = before - countSnapshots();
    int[] orphans = removeOrphans(cutoff, failedRun);
    int manifestsBefore = manifests().size();
    int manifestsAfter = manifestsBefore;
    if (manifestsBefore > 12) {
      table
          .rewriteManifests()
          .clusterBy(
              f -> f.partition().get(0, Integer.class) * 100 + f.partition().get(1, Integer.class))
          .commit();
      table.refresh();
      manifestsAfter = manifests().size();
    }
    return new IcebergTable.Maintenance(
        expired, orphans[0], orphans[1], manifestsBefore, manifestsAfter);
  }

  private int countSnapshots() {
    int n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return n;
  }

  private List<ManifestFile> manifests() {
    Snapshot s = table.currentSnapshot();
    return s == null ? List.of() : s.allManifests(io);
  }

  /**
   * Deletes files under the table's location that nothing kept references and that are older than
   * the cutoff or were written by a failed run. Returns how many, and how many of those were a
   * failed run's.
   */
  private int[] removeOrphans(long cutoffMillis, Predicate<String> failedRun) {
    if (!(io instanceof SupportsPrefixOperations prefixes)) {
      LOG.warn("the table's storage cannot list files: orphan files are not removed");
      return new int[] {0, 0};
    }
    Set<String> referenced = referencedFiles();
    int deleted = 0;
    int ofFailedRuns = 0;
    for (FileInfo f : prefixes.listPrefix(table.location() + "/")) {
      if (referenced.contains(normalize(f.location()))) {
        continue;
      }
      boolean failed = IcebergTable.runOf(f.location()).filter(failedRun).isPresent();
      if (!failed && f.createdAtMillis() >= cutoffMillis) {
        continue;
      }
      try {
        io.deleteFile(f.location());
        deleted++;
        ofFailedRuns += failed ? 1 : 0;
      } catch (RuntimeException e) {
        LOG.warn(
            "cannot delete orphan file {} (the next maintenance retries): {}",
            f.location(),
            e.getMessage());
      }
    }
    return new int[] {deleted, ofFailedRuns};
  }

  /**
   * Every file a kept snapshot or the metadata log references. A data (or delete) file a kept
   * snapshot reads is in the current snapshot, or was added by a kept snapshot, or was removed by a
   * kept snapshot whose parent is kept too (the parent reads it); so only each kept snapshot's own
   * changes are read, never a whole old snapshot. A file removed by a snapshot whose parent expired
   * is read by no one, though Iceberg's expiry keeps it while that snapshot lives.
   */
  private Set<String> referencedFiles() {
    Set<String> refs = new HashSet<>();
    TableMetadata meta = ((org.apache.iceberg.HasTableOperations) table).operations().current();
    refs.add(normalize(meta.metadataFileLocation()));
    meta.previousFiles().forEach(e -> refs.add(normalize(e.file())));
    Set<Long> kept = new HashSet<>();
    table.snapshots().forEach(s -> kept.add(s.snapshotId()));
    for (Snapshot s : table.snapshots()) {
      refs.add(normalize(s.manifestListLocation()));
      for (ManifestFile m : s.allManifests(io)) {
        refs.add(normalize(m.path()));
      }
      org.apache.iceberg.SnapshotChanges changes =
          org.apache.iceberg.SnapshotChanges.builderFor(table).snapshot(s).build();
      changes.addedDataFiles().forEach(f -> refs.add(normalize(f.location())));
      changes.addedDeleteFiles().forEach(f -> refs.add(normalize(f.location())));
      if (s.parentId() != null && kept.contains(s.parentId())) {
        changes.removedDataFiles().forEach(f -> refs.add(normalize(f.location())));
        changes.removedDeleteFiles().forEach(f -> refs.add(normalize(f.location())));
      }
    }
    // with the delete files another engine wrote, which this engine does not read but must keep
    refs.addAll(PlanFiles.current(table, TableMaintenance::normalize));
    return refs;
  }

  private static String normalize(String location) {
    if (location.startsWith("file:")) {
      return "file:" + StoreFileIO.path(location);
    }
    return location;
  }
}
