package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged state of the processed table as an operator meets it: a metadata file cut short or
 * deleted, a manifest deleted, an emptied catalog, a disk full during the commit, a run killed
 * before its commit. Each is one line with what was found, and {@code cdr table repair} or {@code
 * cdr table maintain} is the way back.
 */
class TableDamageCliTest {
  static final String FIRST = "2026-11-04";
  static final String SECOND = "2026-11-05";

  /** Rows of each day, as {@code cdr query --format csv} lists them. */
  static final String BOTH_DAYS = "day,n\n4,30\n5,40\n";

  static final String FIRST_DAY_ONLY = "day,n\n4,30\n";

  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();

  CliRun cdr(String... args) {
    return CliRun.in(dir, env, args);
  }

  CliRun ok(String... args) {
    CliRun r = cdr(args);
    assertThat(r.code()).as("%s: %s", List.of(args), r.err()).isZero();
    return r;
  }

  /** Two days processed, the second one last. */
  void twoDays() {
    ok("generate", "--date", FIRST, "--calls", "30", "--seed", "1");
    ok("generate", "--date", SECOND, "--calls", "40", "--seed", "2");
    ok("etl", "--date", FIRST);
    ok("etl", "--date", SECOND);
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
  }

  String rowsByDay() {
    return ok(
            "query",
            "--format",
            "csv",
            "SELECT day, count(*) AS n FROM processed_cdrs GROUP BY day ORDER BY day")
        .out();
  }

  Path metadata() {
    return dir.resolve("data/processed/processed_cdrs/metadata");
  }

  /** The table metadata files, newest version first. */
  List<Path> metadataFiles() throws IOException {
    try (Stream<Path> s = Files.list(metadata())) {
      return s.filter(p -> p.getFileName().toString().endsWith(".metadata.json"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    }
  }

  /** Every file under the processed bucket, hidden ones too, with its size. */
  List<String> processedFiles() throws IOException {
    Path root = dir.resolve("data/processed");
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(
              p -> {
                try {
                  return root.relativize(p) + " " + Files.size(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sorted()
          .toList();
    }
  }

  static void assertOneLine(CliRun r, String... contains) {
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n").startsWith("error: ").contains(contains);
    assertThat(r.err()).doesNotContain("Exception", "\tat ");
  }

  @Test
  void aMetadataFileCutShortIsOneLineWithoutRetriesAndRepairRollsBackNamingTheLostDay()
      throws Exception {
    twoDays();
    Path current = metadataFiles().get(0);
    byte[] whole = Files.readAllBytes(current);
    Files.write(current, Arrays.copyOf(whole, 300));

    // a process of its own: Iceberg's log lines of every retry would be on its stderr too
    CliRun q = CliRun.child(dir, List.of(), "query", "SELECT count(*) FROM processed_cdrs");
    assertOneLine(
        q,
        "the processed table is damaged",
        current.getFileName().toString(),
        "it ends early, after 300 bytes",
        "cdr table repair");
    assertThat(q.err()).doesNotContain("Retrying");
    assertThat(q.out()).isEmpty();
    assertOneLine(cdr("etl", "--date", SECOND), current.getFileName().toString());
    // what needs only the catalog keeps working
    assertThat(ok("executions", "list").out()).contains("(no executions)");

    CliRun repair = ok("table", "repair");
    assertThat(repair.out())
        .contains("found: cannot read ", current.getFileName() + ": it is damaged")
        .contains("registered ")
        .contains("with the catalog again")
        .contains("the table is now at snapshot ")
        .contains("(commit of " + FIRST + ")")
        .contains(
            "lost: the last commit of " + SECOND + "; process it again: cdr etl --date " + SECOND);
    assertThat(current).doesNotExist(); // set aside, where nothing reads it
    assertThat(rowsByDay()).isEqualTo(FIRST_DAY_ONLY);
    ok("etl", "--date", SECOND);
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
    assertThat(ok("table", "repair").out()).contains("the table is readable: nothing to repair");
  }

  @Test
  void aDeletedMetadataFileIsOneLineAndEtlIsBackAfterRepair() throws Exception {
    twoDays();
    Path current = metadataFiles().get(0);
    Files.delete(current);

    assertOneLine(
        cdr("query", "SELECT count(*) FROM processed_cdrs"),
        "no such file",
        current.getFileName().toString(),
        "cdr table repair");
    assertOneLine(
        cdr("etl", "--full", "--force"), "no such file", current.getFileName().toString());

    CliRun repair = ok("table", "repair");
    assertThat(repair.out())
        .contains("found: no such file: ")
        .contains(current.getFileName().toString())
        .contains("lost: the last commit of " + SECOND);
    assertThat(rowsByDay()).isEqualTo(FIRST_DAY_ONLY);
    // the lost day is no longer taken for processed: a full run redoes it, and only it
    ok("crawl", "raw");
    CliRun full = ok("etl", "--full");
    assertThat(full.out())
        .contains(FIRST + ": skipped")
        .contains(SECOND + ": 40 files read, 40 rows written");
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
  }

  @Test
  void aDeletedManifestIsOneLineAndRepairDropsTheSnapshotsThatNeedIt() throws Exception {
    twoDays();
    Path manifest;
    try (Stream<Path> s = Files.list(metadata())) {
      // the manifest the last commit wrote
      manifest =
          s.filter(p -> p.getFileName().toString().matches(".*-m\\d+\\.avro"))
              .max(Comparator.comparing(p -> p.toFile().lastModified()))
              .orElseThrow();
    }
    Files.delete(manifest);

    assertOneLine(
        cdr("query", "SELECT count(*) FROM processed_cdrs"),
        "no such file",
        manifest.getFileName().toString());
    assertOneLine(cdr("table", "maintain"), manifest.getFileName().toString());
    List<String> files = processedFiles();
    assertOneLine(
        cdr("etl", "--date", SECOND),
        "ETL of " + SECOND + " failed: the processed table is damaged",
        manifest.getFileName().toString());
    assertThat(processedFiles()).isEqualTo(files);

    CliRun repair = ok("table", "repair");
    assertThat(repair.out())
        .contains("found: no such file: ")
        .contains(manifest.getFileName().toString())
        .contains("the table is now at snapshot ")
        .contains("(commit of " + FIRST + ")")
        .contains(
            "dropped 1 snapshots that cannot be read or came after it (commits of " + SECOND + ")")
        .contains(
            "lost: the last commit of " + SECOND + "; process it again: cdr etl --date " + SECOND);
    assertThat(rowsByDay()).isEqualTo(FIRST_DAY_ONLY);
    ok("etl", "--date", SECOND);
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
    assertThat(ok("table", "maintain").out())
        .startsWith("expired 0 snapshots"); // every kept snapshot reads again
  }

  @Test
  void anEmptiedCatalogIsRefusedAndTheTableRegisteredAgain() throws Exception {
    twoDays();
    List<Path> before = metadataFiles();
    Files.write(dir.resolve("data/state/catalog.db"), new byte[0]);

    CliRun q = cdr("query", "SELECT count(*) FROM processed_cdrs");
    assertOneLine(
        q,
        "the catalog has no table cdrs.processed_cdrs",
        "holds its metadata",
        before.get(0).getFileName().toString(),
        "cdr table repair");
    assertOneLine(cdr("etl", "--date", SECOND), "the catalog has no table");
    assertThat(metadataFiles()).isEqualTo(before); // no empty table made over the old one

    CliRun repair = ok("table", "repair");
    assertThat(repair.out())
        .contains("registered ", before.get(0).getFileName() + " with the catalog again")
        .contains("the catalog had no record of 2 days the table holds")
        .contains("ETL runs, workflow executions, quarantine records) is not recovered");
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
    assertThat(ok("catalog").out()).contains("processed days: 2 (70 rows");
    // the product works on: a day again, and a full run that redoes what it cannot skip
    ok("etl", "--date", SECOND);
    ok("crawl", "raw");
    assertThat(ok("etl", "--full").out())
        .contains(FIRST + ": 30 files read")
        .contains(SECOND + ": skipped");
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
  }

  @Test
  void aTableWithNoReadableMetadataIsRebuiltFromTheRawFiles() throws Exception {
    twoDays();
    for (Path p : metadataFiles()) {
      Files.write(p, "{\"format-version\": 2, ".getBytes(StandardCharsets.UTF_8));
    }
    assertOneLine(cdr("query", "SELECT count(*) FROM processed_cdrs"), "it is damaged");

    CliRun repair = ok("table", "repair");
    assertThat(repair.out())
        .contains("no metadata of the table can be read: rebuilding it from the raw files")
        .contains("set aside the metadata files that cannot be read in ")
        .contains("rebuilt the table from the raw files: 2 days");
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
  }

  @Test
  void aDiskFullDuringTheCommitIsOneLineAndLeavesNoFileBehind() throws Exception {
    twoDays();
    List<String> before = processedFiles();
    // the n-th file written fails as on a full disk, and every one after it: the data file (1),
    // a manifest (2), the table metadata file (5)
    for (int n : new int[] {1, 2, 5}) {
      CliRun r =
          CliRun.child(
              dir,
              List.of("-Dcdr.failpoint=table.write@" + n + ":nospace"),
              "etl",
              "--date",
              SECOND);
      assertOneLine(
          r,
          "ETL of "
              + SECOND
              + " failed: cannot write "
              + dir.resolve("data/processed/processed_cdrs"),
          ": No space left on device (",
          " free on that disk",
          "the previous data of the day is intact");
      if (n == 1) {
        assertThat(r.err())
            .containsPattern(
                "part-00000-[^ ]+\\.parquet: No space left on device \\(.* free on that disk, "
                    + "the file needs .*B\\)");
      }
      assertThat(processedFiles()).as("after the failure at write %d", n).isEqualTo(before);
    }
    // the workflow retries the step: each attempt removes what it wrote too
    CliRun daily =
        CliRun.child(
            dir,
            List.of("-Dcdr.failpoint=table.write@2:nospace"),
            "start",
            "daily",
            "--date",
            SECOND);
    assertThat(daily.code()).isEqualTo(1);
    assertThat(daily.out())
        .contains("step etl retried")
        .contains("FAILED: ETL of " + SECOND + " failed: cannot write");
    assertThat(processedFiles()).isEqualTo(before);
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
  }

  @Test
  void maintainRemovesTheFilesOfAFailedRunAtOnce() throws Exception {
    twoDays();
    List<String> before = processedFiles();
    CliRun killed =
        CliRun.child(dir, List.of("-Dcdr.failpoint=etl.before-commit"), "etl", "--date", SECOND);
    assertThat(killed.code()).isEqualTo(137);
    List<String> left = new ArrayList<>(processedFiles());
    left.removeAll(before);
    assertThat(left)
        .singleElement()
        .asString()
        .startsWith("processed_cdrs/data/year=2026/month=11/day=5/part-00000-");

    // within the retention (1d by default), and without any other run of the day first
    CliRun m = ok("table", "maintain");
    assertThat(m.out())
        .startsWith("expired 0 snapshots, deleted 1 orphan files (1 written by failed ETL runs)");
    assertThat(processedFiles()).isEqualTo(before);
    assertThat(rowsByDay()).isEqualTo(BOTH_DAYS);
    assertThat(ok("table", "maintain").out())
        .startsWith("expired 0 snapshots, deleted 0 orphan files,");
  }
}
