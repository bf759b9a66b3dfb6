package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user runs it: exit codes, output formats, messages. */
class CliTest {
  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();

  record Run(int code, String out, String err) {}

  Run cdr(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, dir);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryCommandAndEachCommandHasHelp() {
    Run r = cdr("--help");
    assertThat(r.code()).isZero();
    for (String c : List.of("generate", "crawl", "etl", "query", "demo", "bench", "catalog", "start", "executions",
        "report", "serve")) {
      assertThat(r.out()).contains(c);
      Run h = cdr(c, "--help");
      assertThat(h.code()).as(c).isZero();
      assertThat(h.out()).as(c).contains("Usage: cdr " + c);
    }
    assertThat(cdr("crawl", "raw", "--help").out()).contains("--everything");
    assertThat(cdr("start", "daily", "--help").out()).contains("--date").contains("--async");
    assertThat(cdr("start", "report", "--help").out()).contains("--month");
    assertThat(cdr("executions", "list", "--help").out()).contains("--workflow").contains("--status");
  }

  @Test
  void generateCrawlEtlQueryFromTheCommandLine() throws Exception {
    Run g = cdr("generate", "--bucket", "data/cdr-bucket", "--date", "2026-11-27", "--calls", "250", "--seed", "3",
        "--malformed", "3");
    assertThat(g.code()).as(g.err()).isZero();
    assertThat(g.out()).contains("wrote 250 CDR files");
    assertThat(Files.isDirectory(dir.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json"))).isTrue();

    Run c = cdr("crawl", "raw");
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out()).contains("2 new partitions");

    Run e = cdr("etl", "--date", "2026-11-27");
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("253 files read").contains("250 rows written").contains("3 rejected")
        .contains("files/s").contains("rejected Amazon-Chime-Voice-Connector-CDRs/json/");

    Run q = cdr("query", "--format", "csv",
        "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount FROM (SELECT npanxx, "
            + "SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount FROM cdrs.processed_cdrs GROUP BY npanxx) "
            + "GROUP BY npanxx ORDER BY npanxx NULLS LAST");
    assertThat(q.code()).as(q.err()).isZero();
    List<String> lines = q.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("npanxx,TotalDuration,CallCount");
    assertThat(lines.get(1)).matches("\\d{6},\\d+,1");
    assertThat(lines.get(lines.size() - 1)).matches(",\\d+,1"); // NULL npanxx: international numbers

    Run count = cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs");
    assertThat(count.out()).isEqualTo("n\n250\n");
    Run json = cdr("query", "--format", "json", "SELECT count(*) AS n, 'a\"b' AS s FROM quarantined_cdrs");
    assertThat(json.out().replaceAll("\\s", "")).isEqualTo("[{\"n\":3,\"s\":\"a\\\"b\"}]");
    assertThat(cdr("query", "--format", "csv", "SELECT TIMESTAMP '2025-11-27 00:00:00' AS a, "
        + "TIMESTAMP '2025-11-27 10:11:12.5' AS b").out()).isEqualTo("a,b\n2025-11-27 00:00:00,2025-11-27 10:11:12.5\n");
    Run table = cdr("query", "SELECT 1 AS one");
    assertThat(table.out()).contains("| one |").contains("1 row");

    Run again = cdr("etl", "--date", "2026-11-27");
    assertThat(again.code()).isZero();
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out()).isEqualTo("n\n250\n");
  }

  @Test
  void badSqlIsOneLineOnStderrAndExitOne() {
    Run r = cdr("query", "SELECT * FROM nope");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip()).startsWith("error:").contains("nope").doesNotContain("\n").doesNotContain("\tat ");
    Run s = cdr("query", "SELEC 1");
    assertThat(s.code()).isEqualTo(1);
    assertThat(s.err().strip()).doesNotContain("\n");
  }

  @Test
  void configMistakesNameTheKeyAndExitTwo() throws Exception {
    Files.writeString(dir.resolve("cdr.yaml"), "cdrBucket: x\nprocesedBucket: y\n");
    Run r = cdr("--config", "cdr.yaml", "catalog");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).contains("procesedBucket").doesNotContain("\n");

    Files.writeString(dir.resolve("bad.yaml"), "dailyWorkers: lots\n");
    Run b = cdr("--config", "bad.yaml", "catalog");
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
    Files.writeString(conf.resolve("cdr.yaml"), "cdrBucket: ../raw\nprocessedBucket: out\nstateDir: st\ndatabase: calls\n");
    env.put("CDR_CONFIG", conf.resolve("cdr.yaml").toString());
    assertThat(cdr("generate", "--date", "2026-11-02", "--calls", "5").code()).isZero();
    assertThat(Files.isDirectory(dir.resolve("raw/Amazon-Chime-Voice-Connector-CDRs"))).isTrue();
    assertThat(cdr("etl", "--date", "2026-11-02").code()).isZero();
    assertThat(Files.isDirectory(conf.resolve("out/processed_cdrs/data/year=2026/month=11/day=2"))).isTrue();
    assertThat(Files.exists(conf.resolve("st/catalog.db"))).isTrue();
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM calls.processed_cdrs").out()).isEqualTo("n\n5\n");
  }

  @Test
  void demoRunsTwiceAndPrintsTheSeedQuery() {
    Run first = cdr("demo", "--calls", "200");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("npanxx").contains("TotalDuration").contains("CallCount")
        .contains("rows in processed_cdrs").contains("600").contains("rejected files (quarantined): 18")
        .contains("Next, try:");
    Run second = cdr("demo", "--calls", "200");
    assertThat(second.code()).isZero();
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out()).isEqualTo("n\n600\n");
  }
}
