package io.cdrpipeline.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Row-level delete files, which this engine cannot apply, written into the table as another engine
 * (a DELETE in Spark or Trino) would: through Iceberg's API, with a small Parquet delete file. A
 * query is refused with one line naming the day rather than read wrongly, maintenance keeps the
 * delete file while a snapshot reads it, and the ETL replacing the day removes it.
 */
class RowLevelDeletesTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 2);
  static final LocalDate OTHER = LocalDate.of(2026, 11, 3);

  @TempDir Path tmp;
  Pipeline p;

  @BeforeEach
  void twoDays() throws Exception {
    p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY, 100, 2, 1, 0, null);
    gen.generate(OTHER, 40, 2, 2, 0, null);
    p.etl().runDay(DAY, 2);
    p.etl().runDay(OTHER, 2);
  }

  /**
   * Commits a delete file of the day's data file that removes its first {@code n} rows, as another
   * engine would.
   */
  DeleteFile deleteRows(String kind, int n) throws Exception {
    Table t = p.table().iceberg().refresh().iceberg();
    DataFile data = dataFile(t, DAY);
    String location =
        t.location() + "/data/year=2026/month=11/day=2/" + kind + "-delete-00000.parquet";
    Path local = tmp.resolve(kind + "-delete.parquet");
    try (Connection c = DuckDb.open("256MB", tmp.resolve("duck"), 1);
        Statement s = c.createStatement()) {
      if (kind.equals("position")) {
        s.execute(
            "COPY (SELECT "
                + DuckDb.literal(data.location())
                + " AS file_path, i::BIGINT AS pos FROM range("
                + n
                + ") t(i)) TO "
                + DuckDb.literal(local.toString())
                + " (FORMAT parquet, FIELD_IDS {file_path: "
                + MetadataColumns.DELETE_FILE_PATH.fieldId()
                + ", pos: "
                + MetadataColumns.DELETE_FILE_POS.fieldId()
                + "})");
      } else {
        // equality deletes by callid: every row with one of these call ids is deleted
        s.execute(
            "COPY (SELECT callid FROM read_parquet("
                + DuckDb.literal(StoreFileIO.path(data.location()).toString())
                + ") LIMIT "
                + n
                + ") TO "
                + DuckDb.literal(local.toString())
                + " (FORMAT parquet, FIELD_IDS {callid: "
                + t.schema().findField("callid").fieldId()
                + "})");
      }
    }
    p.table().iceberg().upload(local, location);
    FileMetadata.Builder b = FileMetadata.deleteFileBuilder(t.spec());
    b =
        kind.equals("position")
            ? b.ofPositionDeletes()
            : b.ofEqualityDeletes(t.schema().findField("callid").fieldId());
    DeleteFile delete =
        b.withPath(location)
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(Files.size(local))
            .withRecordCount(n)
            .withPartition(data.partition())
            .build();
    t.newRowDelta().addDeletes(delete).commit();
    p.table().iceberg().refresh();
    return delete;
  }

  static DataFile dataFile(Table t, LocalDate day) throws Exception {
    try (CloseableIterable<FileScanTask> tasks =
        t.newScan().filter(IcebergTable.dayFilter(day)).planFiles()) {
      List<DataFile> files = new ArrayList<>();
      tasks.forEach(task -> files.add(task.file()));
      assertThat(files).hasSize(1);
      return files.get(0);
    }
  }

  static long deleteFilesOfCurrentSnapshot(Table t) throws Exception {
    long n = 0;
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        n += task.deletes().size();
      }
    }
    return n;
  }

  @ParameterizedTest
  @ValueSource(strings = {"position", "equality"})
  void aQueryIsRefusedWithOneLineNamingTheDayAndTheEtlOfTheDayRemovesTheDeletes(String kind)
      throws Exception {
    DeleteFile delete = deleteRows(kind, 5);
    Path deletePath = StoreFileIO.path(delete.location());

    assertThatThrownBy(() -> p.sql("SELECT count(*) FROM processed_cdrs"))
        .isInstanceOf(TableException.class)
        .hasMessageContaining("row-level deletes")
        .hasMessageContaining(DAY.toString())
        .hasMessageContaining("cdr etl --date " + DAY)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    // a query of another day does not read the deleted rows' day: it is answered
    assertThat(
            p.count(
                "SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 11 AND day = 3"))
        .isEqualTo(40);

    // maintenance keeps the delete file (the current snapshot reads it), long after the retention
    p.table().iceberg().maintain(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2)));
    assertThat(deletePath).exists();
    assertThat(deleteFilesOfCurrentSnapshot(p.table().iceberg().refresh().iceberg())).isEqualTo(1);

    // the ETL of the day overwrites it by the day's filter, which drops the delete file with the
    // data
    p.etl().runDay(DAY, 2);
    assertThat(deleteFilesOfCurrentSnapshot(p.table().iceberg().refresh().iceberg())).isZero();
    assertThat(p.table().iceberg().iceberg().currentSnapshot().summary())
        .containsEntry(
            kind.equals("position")
                ? "removed-position-delete-files"
                : "removed-equality-delete-files",
            "1");
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(140);
    assertThat(p.count("SELECT count(DISTINCT callid) FROM processed_cdrs WHERE day = 2"))
        .isEqualTo(100);
    assertThat(p.catalog.processedDay(DAY).orElseThrow().rowsWritten()).isEqualTo(100);

    assertThat(deletePath).as("still read by the snapshot before the ETL's").exists();
    p.table().iceberg().maintain(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2)));
    assertThat(deletePath).as("expired with that snapshot").doesNotExist();
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(140);
  }

  @ParameterizedTest
  @ValueSource(strings = {"position"})
  void deletesCommittedWhileADayIsWrittenAreAConflictThatChangesNothing(String kind)
      throws Exception {
    ProcessedTable table = p.table();
    ProcessedTable.DayWrite write = table.begin(DAY, "late-writer");
    IcebergTable.NewFile file;
    try (io.cdrpipeline.etl.DayResult r =
        new io.cdrpipeline.etl.EmbeddedEngine(
                List.of(new io.cdrpipeline.etl.RawSource(ProcessedSchema.SOURCE_CDR, p.cdr, "")),
                "256MB",
                p.config.stateDir().resolve("tmp"),
                null)
            .process(write, 1)) {
      file = r.files().get(0);
      long before = table.iceberg().refresh().iceberg().currentSnapshot().snapshotId();
      DeleteFile delete = deleteRows(kind, 3); // another engine deletes rows of the day meanwhile
      assertThatThrownBy(() -> write.commit(r.bookkeeping(Instant.now()), r.files()))
          .isInstanceOf(IcebergTable.DayConflict.class)
          .hasMessageContaining("another run committed " + DAY);
      Table t = table.iceberg().refresh().iceberg();
      assertThat(t.currentSnapshot().parentId())
          .isEqualTo(before); // the delete's snapshot, nothing after it
      assertThat(deleteFilesOfCurrentSnapshot(t)).isEqualTo(1);
      assertThat(table.iceberg().dayFiles(OTHER)).hasSize(1);
      assertThat(p.catalog.stagedRuns()).isEmpty();
      assertThat(p.catalog.processedDay(DAY).orElseThrow().runId()).isNotEqualTo("late-writer");
      assertThat(delete.location()).isNotEqualTo(file.location());
    }
  }
}
