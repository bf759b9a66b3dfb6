package io.cdrpipeline.table;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;

/** The snapshots the table keeps, as its history shows them. */
final class TableHistory {
  private TableHistory() {}

  /** See {@link IcebergTable#history}. */
  static List<IcebergTable.SnapshotInfo> of(Table table) {
    List<IcebergTable.SnapshotInfo> out = new ArrayList<>();
    Snapshot current = table.currentSnapshot();
    for (Snapshot s : table.snapshots()) {
      Map<String, String> sum = s.summary();
      out.add(
          new IcebergTable.SnapshotInfo(
              s.snapshotId(),
              Instant.ofEpochMilli(s.timestampMillis()),
              s.operation(),
              Optional.ofNullable(sum.get(IcebergTable.DAY)).map(LocalDate::parse),
              Optional.ofNullable(sum.get(IcebergTable.RUN))
                  .or(() -> Optional.ofNullable(sum.get(IcebergTable.WATCH_BATCH))),
              number(sum, SnapshotSummary.ADDED_RECORDS_PROP),
              number(sum, SnapshotSummary.DELETED_RECORDS_PROP),
              number(sum, SnapshotSummary.ADDED_FILES_PROP),
              number(sum, SnapshotSummary.DELETED_FILES_PROP),
              current != null && current.snapshotId() == s.snapshotId()));
    }
    out.sort(Comparator.comparing(IcebergTable.SnapshotInfo::at));
    return out;
  }

  private static long number(Map<String, String> m, String key) {
    String v = m.get(key);
    return v == null ? 0 : Long.parseLong(v);
  }
}
