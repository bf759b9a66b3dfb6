package io.cdrpipeline.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;

/** The files of the current snapshot, as a scan plans them from the table's metadata alone. */
final class PlanFiles {
  private PlanFiles() {}

  /** See {@link IcebergTable#plan}. */
  static List<IcebergTable.PlannedFile> plan(Table table, Expression filter) {
    List<IcebergTable.PlannedFile> out = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().filter(filter).ignoreResiduals().planFiles()) {
      for (FileScanTask t : tasks) {
        DataFile f = t.file();
        LocalDate day =
            LocalDate.of(
                f.partition().get(0, Integer.class),
                f.partition().get(1, Integer.class),
                f.partition().get(2, Integer.class));
        if (!t.deletes().isEmpty()) {
          throw new TableException(
              "the table has row-level deletes in "
                  + day
                  + " (written by another engine, e.g. "
                  + "a DELETE in Spark or Trino), which this engine cannot apply: re-run 'cdr etl --date "
                  + day
                  + "' (or rewrite the table's data files, e.g. with Spark's rewrite_data_files)",
              null);
        }
        out.add(
            new IcebergTable.PlannedFile(f.location(), day, f.recordCount(), f.fileSizeInBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NotFoundException e) {
      throw TableErrors.damaged(e);
    }
    return out;
  }

  /**
   * The data and delete files of the current snapshot, as its scan reads them, each through {@code
   * normalize}.
   */
  static Set<String> current(Table table, Function<String, String> normalize) {
    Set<String> out = new HashSet<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().ignoreResiduals().planFiles()) {
      for (FileScanTask t : tasks) {
        out.add(normalize.apply(t.file().location()));
        t.deletes().forEach(d -> out.add(normalize.apply(d.location())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NotFoundException e) {
      throw TableErrors.damaged(e);
    }
    return out;
  }
}
