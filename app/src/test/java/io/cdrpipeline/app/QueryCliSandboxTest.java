package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.testing.FileTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdr query} as a hostile user runs it: every statement that once wrote a file, read a
 * secret or changed the catalog now ends with one line on stderr and exit code 1, and the files and
 * the catalog are exactly as before.
 */
class QueryCliSandboxTest {
  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();

  CliRun cdr(String... args) {
    return CliRun.in(dir, env, args);
  }

  @BeforeEach
  void aDayWithRejectsAndAReportLink() {
    assertThat(
            cdr(
                    "generate",
                    "--date",
                    "2026-11-02",
                    "--calls",
                    "300",
                    "--seed",
                    "4",
                    "--malformed",
                    "2")
                .code())
        .isZero();
    assertThat(cdr("crawl", "raw").code()).isZero();
    assertThat(cdr("etl", "--date", "2026-11-02").code()).isZero();
    assertThat(cdr("report", "--month", "2026-11").code()).isZero();
  }

  @Test
  void everyAttackEndsWithOneLineAndExitOneAndChangesNothing() throws Exception {
    Path state = dir.resolve("data/state");
    Path secret = state.resolve("link-secret");
    if (!Files.exists(secret)) {
      io.cdrpipeline.report.LinkSigner.fromStateDir(state);
    }
    Path parquet;
    try (var files = Files.walk(dir.resolve("data/processed"))) {
      parquet = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    List<String> attacks =
        List.of(
            "EXPLAIN (ANALYZE) COPY (SELECT 43) TO 'x1.csv'",
            "/* /* */ SELECT 1 */ COPY (SELECT 42) TO 'x2.csv'",
            "/* /* */ SELECT 1 */ ATTACH 'x3.duckdb' AS x",
            "WITH x AS (SELECT 1) UPDATE cdrs.quarantined_cdrs SET reason='hacked' RETURNING reason",
            "SELECT * FROM read_text('/etc/shadow')",
            "SELECT * FROM read_blob('" + secret + "')",
            "SELECT * FROM read_blob('" + state.resolve("catalog.db") + "')",
            "SELECT * FROM read_text('"
                + dir.resolve("data/processed/processed_cdrs/../../state/link-secret")
                + "')",
            "EXPLAIN (ANALYZE) COPY (SELECT 7 AS x) TO '" + parquet + "' (FORMAT parquet)",
            "COPY processed_cdrs TO 'x4.csv'",
            "EXPORT DATABASE 'x5'",
            "ATTACH 'x6.duckdb'",
            "INSTALL httpfs",
            "LOAD parquet",
            "SET memory_limit = '1GB'",
            "RESET threads",
            "PRAGMA show_tables",
            "CALL pragma_version()",
            "CREATE VIEW v AS SELECT 1",
            "DROP TABLE cdrs.quarantined_cdrs",
            "DELETE FROM quarantined_cdrs",
            "SELECT * FROM read_csv('../../etc/passwd')",
            "SELECT * FROM glob('" + state + "/*')",
            "SELECT 1; DROP VIEW processed_cdrs");
    Path cwd = Path.of("").toAbsolutePath();
    Map<String, String> before = FileTree.snapshot(dir, "catalog.db");
    Map<String, String> cwdBefore = FileTree.listing(cwd);
    String catalogBefore = catalogDump();
    List<String> wrong = new ArrayList<>();
    for (String sql : attacks) {
      CliRun r = cdr("query", sql);
      if (r.code() != 1 || !r.out().isEmpty() || r.err().strip().lines().count() != 1) {
        wrong.add(sql + " -> exit " + r.code() + ", out " + r.out() + ", err " + r.err());
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(FileTree.snapshot(dir, "catalog.db")).isEqualTo(before);
    assertThat(FileTree.listing(cwd)).isEqualTo(cwdBefore);
    assertThat(catalogDump()).isEqualTo(catalogBefore);
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out())
        .isEqualTo("n\n300\n");
  }

  String catalogDump() {
    return FileTree.dump(
        new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db"))));
  }

  @Test
  void aQueryOverQueryTimeoutIsStoppedWithOneLine() throws Exception {
    Files.writeString(dir.resolve("cdr.yaml"), "stateDir: data/state\nquery:\n  timeout: 1s\n");
    CliRun r =
        cdr(
            "--config",
            "cdr.yaml",
            "query",
            "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo("error: the query took longer than 1s and was stopped (query.timeout)");
  }

  @Test
  void twoQueryProcessesSpillingAtOnceBothSucceed() throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"), "stateDir: data/state\nquery:\n  memoryLimit: 128MB\n");
    String sql =
        "SELECT count(*) AS n, min(h) < max(h) AS d FROM "
            + "(SELECT i, md5(i::VARCHAR) AS h FROM range(5000000) t(i) ORDER BY h)";
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> two = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      two.add(
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "--config",
                  "cdr.yaml",
                  "query",
                  "--format",
                  "csv",
                  sql)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start());
    }
    for (Process p : two) {
      assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).isEqualTo("n,d\n5000000,true\n");
    }
    try (var left = Files.list(dir.resolve("data/state/tmp"))) {
      assertThat(left.filter(f -> f.getFileName().toString().startsWith("query-")).toList())
          .isEmpty();
    }
  }
}
