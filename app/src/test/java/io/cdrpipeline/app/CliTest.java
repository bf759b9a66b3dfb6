package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user runs it: exit codes, output formats, messages. */
class CliTest {
  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();

  CliRun cdr(String... args) {
    return CliRun.in(dir, env, args);
  }

  @Test
  void helpListsEveryCommandAndEachCommandHasHelp() {
    CliRun r = cdr("--help");
    assertThat(r.code()).isZero();
    for (String c :
        List.of(
            "generate",
            "crawl",
            "etl",
            "query",
            "demo",
            "bench",
            "catalog",
            "start",
            "executions",
            "report",
            "serve")) {
      assertThat(r.out()).contains(c);
      CliRun h = cdr(c, "--help");
      assertThat(h.code()).as(c).isZero();
      assertThat(h.out()).as(c).contains("Usage: cdr " + c);
    }
    assertThat(cdr("crawl", "raw", "--help").out()).contains("--everything");
    assertThat(cdr("start", "daily", "--help").out()).contains("--date").contains("--async");
    assertThat(cdr("start", "report", "--help").out()).contains("--month");
    assertThat(cdr("executions", "list", "--help").out())
        .contains("--workflow")
        .contains("--status");
  }

  @Test
  void generateCrawlEtlQueryFromTheCommandLine() throws Exception {
    CliRun g =
        cdr(
            "generate",
            "--bucket",
            "data/cdr-bucket",
            "--date",
            "2026-11-27",
            "--calls",
            "250",
            "--seed",
            "3",
            "--malformed",
            "3");
    assertThat(g.code()).as(g.err()).isZero();
    assertThat(g.out()).contains("wrote 250 CDR files");
    assertThat(
            Files.isDirectory(
                dir.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json")))
        .isTrue();

    CliRun c = cdr("crawl", "raw");
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out()).contains("2 new partitions");

    CliRun e = cdr("etl", "--date", "2026-11-27");
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out())
        .contains("253 files read")
        .contains("250 rows written")
        .contains("3 rejected")
        .contains("files/s")
        .contains("rejected Amazon-Chime-Voice-Connector-CDRs/json/");

    CliRun q =
        cdr(
            "query",
            "--format",
            "csv",
            "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount FROM (SELECT npanxx, "
                + "SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount FROM cdrs.processed_cdrs GROUP BY npanxx) "
                + "GROUP BY npanxx ORDER BY npanxx NULLS LAST");
    assertThat(q.code()).as(q.err()).isZero();
    List<String> lines = q.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("npanxx,TotalDuration,CallCount");
    assertThat(lines.get(1)).matches("\\d{6},\\d+,1");
    assertThat(lines.get(lines.size() - 1))
        .matches(",\\d+,1"); // NULL npanxx: international numbers

    CliRun count = cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs");
    assertThat(count.out()).isEqualTo("n\n250\n");
    CliRun json =
        cdr("query", "--format", "json", "SELECT count(*) AS n, 'a\"b' AS s FROM quarantined_cdrs");
    assertThat(json.out().replaceAll("\\s", "")).isEqualTo("[{\"n\":3,\"s\":\"a\\\"b\"}]");
    assertThat(
            cdr(
                    "query",
                    "--format",
                    "csv",
                    "SELECT TIMESTAMP '2025-11-27 00:00:00' AS a, "
                        + "TIMESTAMP '2025-11-27 10:11:12.5' AS b")
                .out())
        .isEqualTo("a,b\n2025-11-27 00:00:00,2025-11-27 10:11:12.5\n");
    CliRun table = cdr("query", "SELECT 1 AS one");
    assertThat(table.out()).contains("| one |").contains("1 row");

    CliRun again = cdr("etl", "--date", "2026-11-27");
    assertThat(again.code()).isZero();
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out())
        .isEqualTo("n\n250\n");
  }

  @Test
  void badSqlIsOneLineOnStderrAndExitOne() {
    CliRun r = cdr("query", "SELECT * FROM nope");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip())
        .startsWith("error:")
        .contains("nope")
        .doesNotContain("\n")
        .doesNotContain("\tat ");
    CliRun s = cdr("query", "SELEC 1");
    assertThat(s.code()).isEqualTo(1);
    assertThat(s.err().strip()).doesNotContain("\n");
  }

  @Test
  void configMistakesNameTheKeyAndExitTwo() throws Exception {
    Files.writeString(dir.resolve("cdr.yaml"), "cdrBucket: x\nprocesedBucket: y\n");
    CliRun r = cdr("--config", "cdr.yaml", "catalog");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).contains("procesedBucket").doesNotContain("\n");

    Files.writeString(dir.resolve("bad.yaml"), "dailyWorkers: lots\n");
    CliRun b = cdr("--config", "bad.yaml", "catalog");
    assertThat(b.code()).isEqualTo(2);
    assertThat(b.err()).contains("dailyWorkers");

    assertThat(cdr("etl", "--date", "2026-13-01").code()).isEqualTo(2);
    assertThat(cdr("etl", "--date", "2026-13-01").err()).contains("2026-13-01");
    assertThat(cdr("etl", "--date", "2026-11-01", "--full").code()).isEqualTo(2);
  }

  @Test
  void configFromEnvironmentWithPathsRelativeToTheFile() throws Exception {
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf);
    Files.writeString(
        conf.resolve("cdr.yaml"),
        "cdrBucket: ../raw\nprocessedBucket: out\nstateDir: st\ndatabase: calls\n");
    env.put("CDR_CONFIG", conf.resolve("cdr.yaml").toString());
    assertThat(cdr("generate", "--date", "2026-11-02", "--calls", "5").code()).isZero();
    assertThat(Files.isDirectory(dir.resolve("raw/Amazon-Chime-Voice-Connector-CDRs"))).isTrue();
    assertThat(cdr("etl", "--date", "2026-11-02").code()).isZero();
    assertThat(Files.isDirectory(conf.resolve("out/processed_cdrs/data/year=2026/month=11/day=2")))
        .isTrue();
    assertThat(Files.exists(conf.resolve("st/catalog.db"))).isTrue();
    assertThat(
            cdr("query", "--format", "csv", "SELECT count(*) AS n FROM calls.processed_cdrs").out())
        .isEqualTo("n\n5\n");
  }

  @Test
  void demoRunsTwiceAndPrintsTheSeedQuery() {
    CliRun first = cdr("demo", "--calls", "200");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("npanxx")
        .contains("TotalDuration")
        .contains("CallCount")
        .contains("rows in processed_cdrs")
        .contains("600")
        .contains("rejected files (quarantined): 18")
        .contains("Next, try:");
    // the corrected query leads: real counts, no NULL npanxx; the original's follows, said to be
    // defective
    String out = first.out();
    int corrected = out.indexOf("(the starter kit's query, corrected)");
    int original = out.indexOf("the original's query, verbatim, with its defect");
    assertThat(corrected).isPositive().isLessThan(original);
    List<List<String>> correctedRows = tableRows(out.substring(corrected, original));
    assertThat(correctedRows).hasSize(10).noneMatch(r -> r.get(0).equals("NULL"));
    long calls = correctedRows.stream().mapToLong(r -> Long.parseLong(r.get(2))).sum();
    assertThat(calls).isGreaterThan(10); // not one per npanxx
    String top =
        cdr(
                "query",
                "--format",
                "csv",
                "SELECT npanxx, count(*) FROM processed_cdrs WHERE npanxx IS NOT NULL "
                    + "GROUP BY npanxx ORDER BY sum(duration) DESC, npanxx LIMIT 1")
            .out()
            .lines()
            .skip(1)
            .findFirst()
            .orElseThrow();
    assertThat(String.join(",", correctedRows.get(0).get(0), correctedRows.get(0).get(2)))
        .isEqualTo(top);
    assertThat(tableRows(out.substring(original))).isNotEmpty().allMatch(r -> r.get(2).equals("1"));
    CliRun second = cdr("demo", "--calls", "200");
    assertThat(second.code()).isZero();
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out())
        .isEqualTo("n\n600\n");
  }

  @Test
  void bothBenchmarksRunAndEveryRatioAndTargetTheyPrintIsExplainedInTheDocs() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = Files.readString(Path.of("..", "docs", "benchmarks.md"));
    assertThat(readme)
        .contains(
            "| [`cdr bench`](docs/benchmarks.md#cdr-bench) |",
            "| [`cdr bench-table`](docs/benchmarks.md#cdr-bench-table) |");
    CliRun bench =
        cdr("bench", "--calls", "60", "--connectors", "2", "--workers", "1", "--xmx", "256m");
    assertThat(bench.code()).as(bench.err()).isZero();
    CliRun table =
        cdr(
            "bench-table",
            "--small",
            "1",
            "--large",
            "2",
            "--rows",
            "20",
            "--seed-days",
            "1",
            "--seed-rows",
            "20",
            "--xmx",
            "256m");
    assertThat(table.code()).as(table.err()).isZero();
    List<String> ratioLines =
        (bench.out() + table.out()).lines().filter(l -> l.startsWith("ratio")).toList();
    assertThat(ratioLines).hasSize(3);
    Matcher ratio =
        Pattern.compile("\\b([a-z]\\d?/[a-z]\\d?) = ").matcher(String.join("\n", ratioLines));
    List<String> names = new ArrayList<>();
    while (ratio.find()) {
      names.add(ratio.group(1));
    }
    assertThat(names).containsExactly("c/a", "c/a2", "c/b", "d/e", "h2/h1", "r2/r1", "s/d");
    for (String n : names) {
      assertThat(section).as(n).contains("`" + n + "`");
    }
    Matcher target =
        Pattern.compile("\\((targets?:? [^)]*)\\)").matcher(String.join("\n", ratioLines));
    int targets = 0;
    for (; target.find(); targets++) {
      assertThat(section).as(target.group()).contains(target.group());
    }
    assertThat(targets).isEqualTo(4);
  }

  /** The cells of the rows of the first table printed in {@code text}. */
  static List<List<String>> tableRows(String text) {
    List<String> lines = text.lines().toList();
    int start =
        lines.indexOf(lines.stream().filter(l -> l.startsWith("+-")).findFirst().orElseThrow());
    List<List<String>> rows = new ArrayList<>();
    for (String l : lines.subList(start + 3, lines.size())) { // rule, header, rule
      if (!l.startsWith("|")) {
        break;
      }
      rows.add(
          Arrays.stream(l.substring(1, l.length() - 1).split("\\|")).map(String::strip).toList());
    }
    return rows;
  }

  @Test
  void queryPrintsAPlanAsItsLinesAndAMissingTableWithTheTablesThereAre() {
    assertThat(cdr("generate", "--date", "2026-11-27", "--calls", "20").code()).isZero();
    assertThat(cdr("etl", "--date", "2026-11-27").code()).isZero();
    CliRun plan =
        cdr(
            "query",
            "EXPLAIN ANALYZE SELECT hour, count(*) FROM processed_cdrs WHERE year = 2026 AND month = 11 GROUP BY hour");
    assertThat(plan.code()).as(plan.err()).isZero();
    List<String> lines = plan.out().lines().toList();
    assertThat(lines)
        .hasSizeGreaterThan(10)
        .noneMatch(l -> l.startsWith("| analyzed_plan"))
        .anySatisfy(l -> assertThat(l).contains("Query Profiling Information"))
        .anySatisfy(l -> assertThat(l.strip()).matches("\u2502\\s*Total Files Read: 1\\s*\u2502"));
    assertThat(cdr("query", "EXPLAIN SELECT count(*) FROM processed_cdrs").out())
        .contains("\n\u2502")
        .doesNotContain("physical_plan");

    for (String[] missing :
        new String[][] {
          {"SELECT * FROM nosuch", "error: no table nosuch; the tables are"},
          {"SELECT * FROM cdrs.nosuch", "error: no table nosuch; the tables are"},
          {
            "SELECT * FROM quarantine_cdrs",
            "error: no table quarantine_cdrs (did you mean quarantined_cdrs?); the tables are"
          }
        }) {
      CliRun r = cdr("query", missing[0]);
      assertThat(r.code()).as(missing[0]).isEqualTo(1);
      assertThat(r.err().strip())
          .as(missing[0])
          .startsWith(missing[1])
          .endsWith(
              "processed_cdrs, amazon_chime_voice_connector_cdrs, quarantined_cdrs (also under the database name, "
                  + "e.g. cdrs.processed_cdrs)")
          .doesNotContain("pg_")
          .doesNotContain("\n");
    }
  }
}
