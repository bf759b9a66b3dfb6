package io.cdrpipeline.etl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.testing.EtlChild;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.RawFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that dies at any point leaves the previous version of the day complete and the only one
 * queries see; the next run completes and cleans up. The dying run is a separate JVM.
 */
class EtlCrashTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 27);

  @TempDir Path tmp;
  Pipeline p;

  @BeforeEach
  void processOnceThenAddLateFiles() throws Exception {
    p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    gen.generate(DAY, 300, 2, 1, 0, null);
    p.etl().runDay(DAY, 2);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(300);
    gen.generate(DAY, 200, 2, 2, 0, null); // late files: the next run must take them
  }

  @Test
  void killedBetweenUploadAndCommitKeepsTheOldDayThenTheNextRunCompletes() throws Exception {
    Process child = EtlChild.start(tmp, DAY, 2, "etl.before-commit");
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);

    assertOldDayIntact();
    assertThat(dataFiles()).hasSize(2); // the dead run's upload is there, unreferenced

    p.etl().runDay(DAY, 2);
    assertNewDayComplete();
  }

  @Test
  void killedAfterCommitBeforeCleanupShowsOnlyTheNewDay() throws Exception {
    Process child = EtlChild.start(tmp, DAY, 2, "etl.after-commit");
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);

    assertThat(dataFiles()).hasSize(2); // the replaced file was not deleted yet
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(500);
    assertThat(p.count("SELECT count(DISTINCT source_key) FROM processed_cdrs")).isEqualTo(500);

    p.etl().runDay(DAY, 2);
    assertNewDayComplete();
  }

  @Test
  void killedWhileReadingKeepsTheOldDayThenTheNextRunCompletes() throws Exception {
    Process child = EtlChild.start(tmp, DAY, 2, "etl.read@100:pause");
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("failpoint etl.read paused")) {
        assertThat(line).doesNotStartWith("done");
      }
      assertThat(line).isEqualTo("failpoint etl.read paused");
      child.destroyForcibly(); // SIGKILL mid-run
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertOldDayIntact();
    Path tmpDir = p.config.stateDir().resolve("tmp");
    assertThat(RawFiles.files(tmpDir)).as("the killed run left its staging files").isNotEmpty();
    p.etl().runDay(DAY, 2);
    assertNewDayComplete();
    assertThat(RawFiles.files(tmpDir)).as("and the next run of the day removed them").isEmpty();
  }

  private void assertOldDayIntact() {
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(300);
    assertThat(p.count("SELECT count(DISTINCT callid) FROM processed_cdrs")).isEqualTo(300);
    ProcessedDay day = p.catalog.processedDay(DAY).orElseThrow();
    assertThat(day.rowsWritten()).isEqualTo(300);
    assertThat(day.files()).hasSize(1);
  }

  private void assertNewDayComplete() throws Exception {
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(500);
    assertThat(p.count("SELECT count(DISTINCT callid) FROM processed_cdrs")).isEqualTo(500);
    assertThat(p.dayFiles(DAY)).hasSize(1);
    ProcessedDay day = p.catalog.processedDay(DAY).orElseThrow();
    assertThat(day.files()).hasSize(1);
    assertThat(day.rowsWritten()).isEqualTo(500);
    assertThat(p.catalog.stagedRuns()).isEmpty();
    // what the dead run left (an upload, a replaced file) goes with table maintenance, after the
    // retention
    p.table().iceberg().maintain(Duration.ofDays(1), Instant.now().plus(Duration.ofDays(2)));
    assertThat(dataFiles()).containsExactlyElementsOf(p.dayFiles(DAY));
  }

  private List<Path> dataFiles() throws Exception {
    return RawFiles.files(p.processed.root().resolve("processed_cdrs/data")).stream()
        .filter(f -> f.getFileName().toString().endsWith(".parquet"))
        .toList();
  }
}
