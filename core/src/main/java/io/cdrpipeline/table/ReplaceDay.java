package io.cdrpipeline.table;

import io.cdrpipeline.failure.FailureText;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One day's replacement: an Iceberg overwrite of exactly that day's partition, checked for
 * conflicts against the snapshot the writer started from (see {@link IcebergTable#commitDay}).
 */
final class ReplaceDay {
  private static final Logger LOG = LoggerFactory.getLogger(ReplaceDay.class);

  private final IcebergTable owner;
  private final Table table;

  ReplaceDay(IcebergTable owner) {
    this.owner = owner;
    this.table = owner.iceberg();
  }

  long commit(LocalDate day, String runId, List<IcebergTable.NewFile> files, Optional<Long> base) {
    Objects.requireNonNull(day, "day is null");
    Objects.requireNonNull(runId, "runId is null");
    Expression theDay = IcebergTable.dayFilter(day);
    RecordingOperations ops =
        new RecordingOperations(((org.apache.iceberg.HasTableOperations) table).operations());
    OverwriteFiles op =
        new org.apache.iceberg.BaseTable(ops, table.name())
            .newOverwrite()
            .overwriteByRowFilter(theDay)
            .conflictDetectionFilter(theDay)
            .validateNoConflictingData()
            .validateNoConflictingDeletes()
            .set(IcebergTable.DAY, day.toString())
            .set(IcebergTable.RUN, runId);
    base.ifPresent(op::validateFromSnapshot);
    for (IcebergTable.NewFile f : files) {
      op.addFile(dataFile(day, f));
    }
    try {
      op.commit();
    } catch (RuntimeException e) {
      // Iceberg's own verdicts are certain; a commit whose outcome Iceberg could not tell may
      // still land (a REST catalog behind a timeout); any other failure is checked in the table
      boolean certain =
          e instanceof ValidationException || e instanceof CommitFailedException
              ? refreshed()
              : !(e instanceof org.apache.iceberg.exceptions.CommitStateUnknownException)
                  && certainlyNotCommitted(day, runId);
      if (!certain) {
        throw e instanceof NotFoundException missing ? TableErrors.damaged(missing) : e;
      }
      for (String f : ops.named()) {
        owner.deleteQuietly(f);
      }
      if (e instanceof ValidationException) {
        throw new IcebergTable.DayConflict(
            "another run committed "
                + day
                + " while this one ran: "
                + FailureText.firstLine(e.getMessage()),
            e);
      }
      if (e instanceof NotFoundException missing) {
        throw new IcebergTable.NotCommitted(TableErrors.damaged(missing).getMessage(), missing);
      }
      throw new IcebergTable.NotCommitted(TableErrors.commitFailure(e), e);
    }
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  /** Reads the table again after a commit that did not happen; true. */
  private boolean refreshed() {
    try {
      table.refresh();
    } catch (RuntimeException e) {
      LOG.warn("cannot read the table again: {}", e.toString());
    }
    return true;
  }

  /**
   * True when the table, read again, certainly holds no snapshot of this run's commit of the day.
   */
  private boolean certainlyNotCommitted(LocalDate day, String runId) {
    try {
      table.refresh();
      for (Snapshot s = table.currentSnapshot();
          s != null;
          s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
        if (runId.equals(s.summary().get(IcebergTable.RUN))
            && day.toString().equals(s.summary().get(IcebergTable.DAY))) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot tell whether the commit of {} by {} happened (the next writer of the day settles it): {}",
          day,
          runId,
          e.toString());
      return false;
    }
  }

  private DataFile dataFile(LocalDate day, IcebergTable.NewFile f) {
    PartitionData p = new PartitionData(table.spec().partitionType());
    p.set(0, day.getYear());
    p.set(1, day.getMonthValue());
    p.set(2, day.getDayOfMonth());
    return DataFiles.builder(table.spec())
        .withPath(f.location())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(f.bytes())
        .withRecordCount(f.rows())
        .withPartition(p)
        .build();
  }
}
