package io.cdrpipeline.table;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * A table's operations for one commit that note every metadata file the commit names (its manifests
 * and manifest lists, on whichever thread Iceberg writes them), so that a commit that failed can
 * remove exactly what it wrote and nothing of another writer's.
 */
final class RecordingOperations implements TableOperations {
  private final TableOperations ops;
  private final List<String> named = new CopyOnWriteArrayList<>();

  RecordingOperations(TableOperations ops) {
    this.ops = Objects.requireNonNull(ops, "ops is null");
  }

  /** The metadata files the commit named, in order. */
  List<String> named() {
    return List.copyOf(named);
  }

  @Override
  public String metadataFileLocation(String fileName) {
    String location = ops.metadataFileLocation(fileName);
    named.add(location);
    return location;
  }

  @Override
  public TableMetadata current() {
    return ops.current();
  }

  @Override
  public TableMetadata refresh() {
    return ops.refresh();
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    ops.commit(base, metadata);
  }

  @Override
  public FileIO io() {
    return ops.io();
  }

  @Override
  public EncryptionManager encryption() {
    return ops.encryption();
  }

  @Override
  public LocationProvider locationProvider() {
    return ops.locationProvider();
  }

  @Override
  public TableOperations temp(TableMetadata uncommittedMetadata) {
    return ops.temp(uncommittedMetadata);
  }

  @Override
  public long newSnapshotId() {
    return ops.newSnapshotId();
  }

  @Override
  public boolean requireStrictCleanup() {
    return ops.requireStrictCleanup();
  }
}
