package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdr query} holds a result whole only to align it as a table: that table is bounded by
 * {@code query.resultLimit} (checked by DuckDB before the rows reach the heap), while CSV and JSON
 * stream whatever the size; and DuckDB is never given more memory than the machine has.
 */
class QueryResultLimitCliTest {
  @TempDir Path dir;

  CliRun cdr(String... args) {
    return CliRun.in(dir, new HashMap<>(), args);
  }

  @Test
  void theAlignedTableStopsAtTheResultLimitWithOneLineAndCsvStreamsIt() throws Exception {
    Files.writeString(dir.resolve("cdr.yaml"), "query:\n  resultLimit: 1MB\n");
    String sql = "SELECT range AS i, repeat('x', 1000) AS s FROM range(3000)"; // about 3 MB of text
    CliRun table = cdr("query", sql);
    assertThat(table.code()).isEqualTo(1);
    assertThat(table.out()).isEmpty();
    assertThat(table.err().strip())
        .isEqualTo(
            "error: the result is more than query.resultLimit (1MB) of text to align as "
                + "a table: use --format csv or --format json, which stream it, or narrow the query (fewer columns, a WHERE, a LIMIT)");
    CliRun csv = cdr("query", "--format", "csv", sql);
    assertThat(csv.code()).as(csv.err()).isZero();
    assertThat(csv.out().lines().count()).isEqualTo(3001);
    CliRun json = cdr("query", "--format", "json", sql);
    assertThat(json.code()).as(json.err()).isZero();
    assertThat(json.out()).contains("\"i\" : 2999");
    // within the limit the table is printed whole, every row in order
    CliRun small = cdr("query", "SELECT range AS i FROM range(5) ORDER BY i DESC");
    assertThat(small.code()).as(small.err()).isZero();
    assertThat(small.out())
        .containsSubsequence("| 4 |", "| 3 |", "| 2 |", "| 1 |", "| 0 |")
        .contains("5 rows");
  }

  @Test
  void theIssuesHugeQueryIsOneLineOnTheCommandLineToo() {
    CliRun r = cdr("query", "SELECT repeat('x',250000) AS s FROM range(10000)");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip())
        .startsWith("error: the result is more than query.resultLimit (32MB) of text")
        .doesNotContain("\n");
  }

  @Test
  void aMemoryLimitAboveTheMachinesMemoryIsOneLineBeforeAnythingRuns() throws Exception {
    Files.writeString(dir.resolve("cdr.yaml"), "query:\n  memoryLimit: 100000TB\n");
    CliRun r = cdr("query", "SELECT 1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .startsWith(
            "config error: bad value for 'query.memoryLimit': '100000TB' is more than this "
                + "machine's memory (")
        .doesNotContain("\n");
  }
}
