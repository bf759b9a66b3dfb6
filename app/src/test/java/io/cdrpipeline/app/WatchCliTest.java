package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.testing.ExternalIcebergReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cdr watch} as a user runs it, and {@code cdr serve} running it in the background. */
class WatchCliTest {
  @TempDir Path dir;

  CliRun run(String... args) {
    return CliRun.in(dir, new HashMap<>(), args);
  }

  CliRun ok(String... args) {
    CliRun r = run(args);
    assertThat(r.code()).as("%s: %s", List.of(args), r.err()).isZero();
    return r;
  }

  static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }

  void generate(int calls, int seed) {
    ok(
        "generate",
        "--date",
        today().toString(),
        "--calls",
        Integer.toString(calls),
        "--seed",
        Integer.toString(seed));
  }

  ExternalIcebergReader.Counts counts() throws Exception {
    return ExternalIcebergReader.counts(
        "jdbc:sqlite:" + dir.resolve("data/state/catalog.db"), "cdrs");
  }

  @Test
  void helpAndMistakes() {
    CliRun help = ok("watch", "--help");
    assertThat(help.out())
        .contains("Usage: cdr watch")
        .contains("--interval=DURATION")
        .contains("--once")
        .contains("yesterday until the daily ETL has replaced it");
    CliRun bad = run("watch", "--interval", "soon");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().strip()).startsWith("error: --interval").doesNotContain("\n");
    CliRun tooShort = run("watch", "--interval", "100ms", "--once");
    assertThat(tooShort.code()).isEqualTo(2);
    assertThat(tooShort.err()).contains("out of range (1s to 1d)");
  }

  @Test
  void watchOnceAppendsTodaysNewFilesAndThenNothing() throws Exception {
    generate(20, 1);
    CliRun first = ok("watch", "--once");
    assertThat(first.out()).contains("20 new objects of [" + today() + "], 20 rows appended");
    generate(15, 2);
    assertThat(ok("watch", "--once").out()).contains("15 new objects");
    assertThat(ok("watch", "--once").out()).contains("nothing new (35 raw objects listed)");
    assertThat(ok("query", "--format", "csv", "SELECT count(*) FROM processed_cdrs").out())
        .contains("35");
    assertThat(counts()).isEqualTo(new ExternalIcebergReader.Counts(35, 35, 35));
  }

  @Test
  void eachWatchBatchEvaluatesTheAlarmsOverItsDays() throws Exception {
    LocalDate yesterday = today().minusDays(1); // a whole day: no hour of it is still to come
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "alarms:\n"
            + "  - name: premium-fraud\n"
            + "    rule: irsf\n"
            + "    highRiskPrefixes: ['+252']\n"
            + "    subscribers:\n"
            + "      - type: log\n");
    ok("generate", "--date", yesterday.toString(), "--calls", "60", "--seed", "3");
    CliRun clean = ok("watch", "--once");
    assertThat(clean.out()).contains("60 new objects").doesNotContain("alarm premium-fraud");
    ok(
        "generate",
        "--date",
        yesterday.toString(),
        "--calls",
        "60",
        "--seed",
        "4",
        "--inject",
        "fraud");
    CliRun fraud = ok("watch", "--once");
    assertThat(fraud.out()).contains("alarm premium-fraud (irsf) fired");
    assertThat(ok("alarms", "list").out()).contains("premium-fraud").contains("FIRING");
    // nothing new: no batch, so no evaluation and no second notice of the same firing
    CliRun idle = ok("watch", "--once");
    assertThat(idle.out()).contains("nothing new").doesNotContain("alarm premium-fraud");
  }

  @Test
  void aWatchProcessKilledBeforeItsCommitIsSettledByTheNext() throws Exception {
    generate(20, 1);
    CliRun killed =
        CliRun.child(dir, List.of("-Dcdr.failpoint=watch.before-commit"), "watch", "--once");
    assertThat(killed.code()).as(killed.out() + killed.err()).isEqualTo(137);
    assertThat(counts().rows()).isZero();
    CliRun again = ok("watch", "--once");
    assertThat(again.out())
        .contains("died before its commit: its objects are taken again")
        .contains("20 new objects");
    assertThat(counts()).isEqualTo(new ExternalIcebergReader.Counts(20, 20, 20));

    generate(10, 2);
    CliRun killedAfter =
        CliRun.child(dir, List.of("-Dcdr.failpoint=watch.after-commit"), "watch", "--once");
    assertThat(killedAfter.code()).isEqualTo(137);
    assertThat(counts().rows()).isEqualTo(30);
    CliRun settled = ok("watch", "--once");
    assertThat(settled.out())
        .contains("committed before the watch died: recording it")
        .contains("nothing new");
    assertThat(counts()).isEqualTo(new ExternalIcebergReader.Counts(30, 30, 30));
  }

  @Test
  void serveRunsTheWatchWhenConfigured() throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "schedules: {daily: off, monthlyReport: off}\n"
            + "backfill: false\n"
            + "server: {host: 127.0.0.1, port: 0, baseUrl: 'http://localhost:1'}\n"
            + "watch: {enabled: true, interval: 1s}\n");
    generate(12, 1);
    Process serve = child("serve", "--port", "0");
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(serve);
    try {
      out.awaitContaining("watch: every 1s");
      out.awaitContaining("12 new objects of [" + today() + "]");
      generate(8, 2); // lands while the service runs, maybe across two polls
      awaitRows(20);
      WorkflowCliTest.signal(serve, "TERM");
      assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      serve.destroyForcibly();
    }
    assertThat(counts()).isEqualTo(new ExternalIcebergReader.Counts(20, 20, 20));
  }

  @Test
  void watchPollsEveryIntervalUntilSigterm() throws Exception {
    generate(6, 1);
    Process watch = child("watch", "--interval", "1s");
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(watch);
    try {
      out.awaitContaining("watching every 1s (Ctrl-C to stop)");
      out.awaitContaining("6 new objects of [" + today() + "]");
      out.awaitContaining("nothing new (6 raw objects listed)");
      generate(4, 2);
      awaitRows(10);
      WorkflowCliTest.signal(watch, "TERM");
      assertThat(watch.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      watch.destroyForcibly();
    }
    assertThat(counts()).isEqualTo(new ExternalIcebergReader.Counts(10, 10, 10));
  }

  @Test
  void serveWithoutTheWatchBlockDoesNotWatch() throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "schedules: {daily: off, monthlyReport: off}\n"
            + "backfill: false\n"
            + "server: {host: 127.0.0.1, port: 0, baseUrl: 'http://localhost:1'}\n");
    generate(5, 1);
    Process serve = child("serve", "--port", "0");
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(serve);
    try {
      out.awaitContaining("serving the console");
      WorkflowCliTest.signal(serve, "TERM");
      assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      serve.destroyForcibly();
    }
    assertThat(out.all).noneMatch(l -> l.contains("watch"));
  }

  @Test
  void theLatencyBenchmarkPrintsTheDistributionAgainstTheInterval() throws Exception {
    CliRun bench =
        ok(
            "bench-watch",
            "--interval",
            "1s",
            "--duration",
            "3s",
            "--rate",
            "10",
            "--dir",
            dir.resolve("bench").toString());
    assertThat(bench.out())
        .contains("bench-watch: 30 files landed at 10/s over 3s; interval 1s;")
        .contains("; 30 files queryable")
        .doesNotContain("NOT all files");
    List<String> lines = bench.out().lines().filter(l -> l.startsWith("latency")).toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).matches("latency p50 \\d+\\.\\d\\d s = \\d+\\.\\d\\d x interval");
    assertThat(lines.get(2))
        .matches(
            "latency max \\d+\\.\\d\\d s = \\d+\\.\\d\\d x interval \\(target: at most 2 x interval\\): (met|NOT met)");
    String docs = Files.readString(Path.of("..", "docs", "watch.md"));
    assertThat(docs).contains("(target: at most 2 x interval)");
  }

  /** Waits until another engine sees the rows (the watch appends them within seconds). */
  void awaitRows(long rows) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (counts().rows() != rows) {
      assertThat(System.nanoTime()).as("the table never held %d rows", rows).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  Process child(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
  }
}
