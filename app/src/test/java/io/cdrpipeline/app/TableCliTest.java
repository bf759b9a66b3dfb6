package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void historyListsEachReplacementOfADayAndMaintainDeletesReplacedFilesOnlyAfterTheRetention() throws Exception {
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
    assertThat(ok("table", "history", "--limit", "1").out().lines().filter(l -> l.contains("2026-11-27"))).hasSize(1);

    // within the retention the replaced day's file stays: a query planned on it may still read it
    CliRun m = ok("table", "maintain");
    assertThat(m.out()).startsWith("expired 0 snapshots, deleted 0 orphan files").contains("(retention 2s)");
    assertThat(first.get(0)).exists();
    assertThat(dataFiles()).hasSize(2);

    while (System.currentTimeMillis() < replacedAt + 2_500) {
      Thread.sleep(50); // the retention has to pass on the wall clock
    }
    CliRun later = ok("table", "maintain");
    assertThat(later.out()).startsWith("expired 1 snapshots");
    assertThat(first.get(0)).doesNotExist();
    assertThat(dataFiles()).hasSize(1);
    assertThat(ok("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out()).isEqualTo("n\n150\n");
    assertThat(ok("table", "history").out()).contains("1 snapshots kept").contains("(current)");
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
