package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cdr table history} and {@code cdr table maintain} as a user runs them. */
class TableCliTest {
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

  List<Path> dataFiles() throws IOException {
    Path data = dir.resolve("data/processed/processed_cdrs/data");
    try (Stream<Path> s = Files.walk(data)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  @Test
  void historyListsEachReplacementOfADayAndMaintainDeletesReplacedFilesOnlyAfterTheRetention()
      throws Exception {
    Files.writeString(dir.resolve("cdr.yaml"), "table:\n  snapshotRetention: 2s\n");
    ok("generate", "--date", "2026-11-27", "--calls", "120", "--seed", "1");
    ok("etl", "--date", "2026-11-27");
    List<Path> first = dataFiles();
    assertThat(first).hasSize(1);
    ok("generate", "--date", "2026-11-27", "--calls", "30", "--seed", "2"); // late files of the day
    ok("etl", "--date", "2026-11-27");
    long replacedAt = System.currentTimeMillis();

    CliRun h = ok("table", "history");
    List<String> rows = h.out().lines().filter(l -> l.contains("2026-11-27")).toList();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).doesNotContain("(current)").matches(".*\\s120\\s+0\\s+\\d+$");
    assertThat(rows.get(1)).endsWith("(current)").matches(".*\\s150\\s+120\\s+\\d+ \\(current\\)$");
    assertThat(h.out()).contains("2 snapshots kept");
    assertThat(
            ok("table", "history", "--limit", "1")
                .out()
                .lines()
                .filter(l -> l.contains("2026-11-27")))
        .hasSize(1);

    // within the retention the replaced day's file stays: a query planned on it may still read it
    CliRun m = ok("table", "maintain");
    assertThat(m.out())
        .startsWith("expired 0 snapshots, deleted 0 orphan files")
        .contains("(retention 2s)");
    assertThat(first.get(0)).exists();
    assertThat(dataFiles()).hasSize(2);

    while (System.currentTimeMillis() < replacedAt + 2_500) {
      Thread.sleep(50); // the retention has to pass on the wall clock
    }
    CliRun later = ok("table", "maintain");
    assertThat(later.out()).startsWith("expired 1 snapshots");
    assertThat(first.get(0)).doesNotExist();
    assertThat(dataFiles()).hasSize(1);
    assertThat(ok("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out())
        .isEqualTo("n\n150\n");
    assertThat(ok("table", "history").out()).contains("1 snapshots kept").contains("(current)");
  }

  long rows(String where) {
    String out =
        ok("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs" + where).out();
    return Long.parseLong(out.lines().toList().get(1));
  }

  @Test
  void dropDayRemovesOneDayInOneCommitWithItsBookkeepingAndASecondDropHasNothingToDrop()
      throws Exception {
    ok("generate", "--date", "2026-11-27", "--calls", "40", "--seed", "1", "--malformed", "2");
    ok("generate", "--date", "2026-11-28", "--calls", "30", "--seed", "2");
    ok("crawl", "raw");
    ok("etl", "--full");
    ok("crawl", "processed");
    assertThat(rows("")).isEqualTo(70);

    CliRun noTerminal = cdr("table", "drop-day", "--date", "2026-11-27");
    assertThat(noTerminal.code()).isEqualTo(2);
    assertThat(noTerminal.err().strip())
        .isEqualTo(
            "error: drop-day removes data and asks first, but there is no terminal "
                + "to ask on: run it in a terminal, or add --yes");
    assertThat(rows("")).isEqualTo(70);

    CliRun drop = ok("table", "drop-day", "--date", "2026-11-27", "--yes");
    assertThat(drop.out())
        .startsWith("2026-11-27: 40 rows in 1 file, committed ")
        .containsPattern(
            "dropped 2026-11-27: 40 rows in 1 file removed in one commit \\(snapshot \\d+\\); the catalog's "
                + "record of the day is gone")
        .contains(
            "its raw files are still in the CDR bucket: the next run of 2026-11-27 (cdr etl, a workflow, backfill) "
                + "processes them again");
    assertThat(rows(" WHERE day = 27")).isZero();
    assertThat(rows(" WHERE day = 28")).isEqualTo(30);
    String catalog = ok("catalog").out();
    assertThat(catalog).contains("processed days: 1 (30 rows, 0 rejected files)");
    assertThat(ok("catalog", "processed_cdrs").out())
        .contains("partitions: 1")
        .contains("day=28")
        .doesNotContain("day=27");
    assertThat(ok("query", "--format", "csv", "SELECT count(*) AS n FROM quarantined_cdrs").out())
        .isEqualTo("n\n0\n");
    List<String> history =
        ok("table", "history").out().lines().filter(l -> l.contains("2026-11-27")).toList();
    assertThat(history).hasSize(2);
    assertThat(history.get(1)).contains("delete").matches(".*\\s0\\s+40\\s+\\d+ \\(current\\)$");

    CliRun again = ok("table", "drop-day", "--date", "2026-11-27", "--yes");
    assertThat(again.out().strip())
        .isEqualTo(
            "nothing to drop: the table has no rows of 2026-11-27 and the catalog no "
                + "record of it");
    assertThat(ok("table", "history").out().lines().filter(l -> l.contains("2026-11-27")))
        .hasSize(2); // no new commit
    assertThat(rows(" WHERE day = 28")).isEqualTo(30);
    // the raw files were never touched: the day comes back with its next run
    assertThat(ok("etl", "--date", "2026-11-27").out()).contains("40 rows written");
    assertThat(rows("")).isEqualTo(70);
  }

  @Test
  void dropDayRemovesADayAnOlderVersionCommittedWithASignedYear() throws Exception {
    // what a workflow input {"Date":"-2026-11-02"} once committed: an empty day of year -2026 and
    // its partition
    LocalDate bad = LocalDate.of(-2026, 11, 2);
    io.cdrpipeline.testing.Pipeline p = new io.cdrpipeline.testing.Pipeline(dir);
    new io.cdrpipeline.generate.CdrGenerator(p.cdr).generate(bad, 3, 1, 1, 0, null);
    p.etl().runDay(bad, 1);
    ok("generate", "--date", "2026-11-02", "--calls", "5");
    ok("etl", "--date", "2026-11-02");
    ok("crawl", "processed");
    assertThat(ok("catalog", "processed_cdrs").out()).contains("year=-2026");
    assertThat(ok("catalog").out()).contains("processed days: 2");

    CliRun drop = ok("table", "drop-day", "--date=-2026-11-02", "--yes");
    assertThat(drop.out()).contains("dropped -2026-11-02: ");
    assertThat(ok("catalog", "processed_cdrs").out())
        .doesNotContain("year=-2026")
        .contains("partitions: 1");
    assertThat(ok("catalog").out()).contains("processed days: 1 (5 rows");
    assertThat(rows("")).isEqualTo(5);
    assertThat(ok("table", "drop-day", "--date=-2026-11-02", "--yes").out())
        .startsWith("nothing to drop");
  }

  @Test
  void mistakesAreOneLine() {
    CliRun r = cdr("table");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains("cdr table history");
    CliRun limit = cdr("table", "history", "--limit", "0");
    assertThat(limit.code()).isEqualTo(2);
    assertThat(limit.err().strip()).isEqualTo("error: --limit must be at least 1, got 0");
  }
}
