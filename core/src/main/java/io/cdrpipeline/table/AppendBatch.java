package io.cdrpipeline.table;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.NotFoundException;

/**
 * One append of new data files to one or more days' partitions, the days' existing files kept: a
 * watch batch. Its snapshot's summary carries the caller's properties (the batch's id), so whether
 * it committed can be told from the table alone.
 */
final class AppendBatch {
  private AppendBatch() {}

  static long commit(
      Table table, Map<LocalDate, List<IcebergTable.NewFile>> files, Map<String, String> summary) {
    AppendFiles op = table.newAppend();
    summary.forEach(op::set);
    for (Map.Entry<LocalDate, List<IcebergTable.NewFile>> e : files.entrySet()) {
      for (IcebergTable.NewFile f : e.getValue()) {
        PartitionData p = new PartitionData(table.spec().partitionType());
        p.set(0, e.getKey().getYear());
        p.set(1, e.getKey().getMonthValue());
        p.set(2, e.getKey().getDayOfMonth());
        op.appendFile(
            DataFiles.builder(table.spec())
                .withPath(f.location())
                .withFormat(FileFormat.PARQUET)
                .withFileSizeInBytes(f.bytes())
                .withRecordCount(f.rows())
                .withPartition(p)
                .build());
      }
    }
    try {
      op.commit(); // Iceberg retries a commit another writer raced, as commit.retry.* says
    } catch (NotFoundException e) {
      throw TableErrors.damaged(e);
    }
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  /**
   * The snapshot, among the current one and its ancestors, whose summary has {@code key} = {@code
   * value}; walks from the newest and stops at the first snapshot older than {@code notBefore}
   * milliseconds (a batch's snapshot is never older than the batch).
   */
  static Optional<Long> find(Table table, String key, String value, long notBeforeMillis) {
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (value.equals(s.summary().get(key))) {
        return Optional.of(s.snapshotId());
      }
      if (s.timestampMillis() < notBeforeMillis) {
        break;
      }
    }
    return Optional.empty();
  }
}
