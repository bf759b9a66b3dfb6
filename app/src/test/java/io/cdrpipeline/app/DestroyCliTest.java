package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.app.cli.BackgroundRunner;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.testing.FileTree;
import io.cdrpipeline.testing.Postgres;
import io.cdrpipeline.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code cdr destroy}: lists, asks, removes what cdr made, and leaves the CDR bucket and the
 * additional bucket byte for byte as they were, in a folder and on S3, whatever the config.
 */
class DestroyCliTest {
  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();

  CliRun cdr(String... args) throws Exception {
    return run(null, args);
  }

  /** With {@code answer} typed at a terminal. */
  CliRun typed(String answer, String... args) throws Exception {
    try (Terminal t =
        TerminalBuilder.builder()
            .system(false)
            .streams(
                new ByteArrayInputStream((answer + "\n").getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream())
            .type(Terminal.TYPE_DUMB)
            .build()) {
      Attributes a = t.getAttributes();
      a.setLocalFlag(Attributes.LocalFlag.ECHO, false);
      t.setAttributes(a);
      return run(t, args);
    }
  }

  private CliRun run(Terminal t, String... args) {
    return CliRun.in(dir, env, t, args);
  }

  CliRun ok(String... args) throws Exception {
    CliRun r = cdr(args);
    assertThat(r.code()).as(String.join(" ", args) + ": " + r.err() + r.out()).isZero();
    return r;
  }

  Process child(List<String> jvm, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .directory(dir.toFile())
        .redirectError(dir.resolve("child.err").toFile())
        .start();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Everything the pipeline makes: the table, quarantine, reports, executions, logs of a background
   * run.
   */
  void useEverything() throws Exception {
    ok("generate", "--date", "2026-11-02", "--calls", "60", "--malformed", "3");
    ok("start", "daily", "--date", "2026-11-02");
    ok("start", "full");
    ok("start", "report", "--month", "2026-11");
    ok("query", "SELECT count(*) FROM processed_cdrs");
  }

  @Test
  void destroyRemovesWhatCdrMadeAfterAskingAndLeavesBothBucketsAsTheyWere() throws Exception {
    ok("generate", "--bucket", "old", "--date", "2026-10-30", "--calls", "20");
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "cdrBucket: cdrs\nadditionalCdrBucket: old\nprocessedBucket: lake\n"
            + "reportsBucket: reports\nstateDir: state\nserver: {port: "
            + freePort()
            + "}\n");
    useEverything();
    String id = ok("start", "daily", "--date", "2026-11-02", "--async").out().strip();
    io.cdrpipeline.workflow.ExecutionStore store =
        new io.cdrpipeline.workflow.ExecutionStore(
            new io.cdrpipeline.catalog.Catalog(
                Database.open("jdbc:sqlite:" + dir.resolve("state/catalog.db"))));
    assertThat(WorkflowCliTest.awaitFinal(store, id, Duration.ofSeconds(90)).status())
        .isEqualTo(io.cdrpipeline.workflow.ExecutionStatus.SUCCEEDED);
    // the runner still writes its log and closes the catalog after the status: wait for the process
    // itself
    assertThat(BackgroundRunner.awaitAll(dir.resolve("state"), Duration.ofSeconds(60))).isEmpty();
    assertThat(Files.list(dir.resolve("state/logs")).toList())
        .isNotEmpty(); // the background runner's output
    Files.writeString(dir.resolve("state/notes.txt"), "mine"); // a file cdr did not make
    // links inside the product's folders to the buckets: removed as links, never followed
    Files.createSymbolicLink(
        dir.resolve("lake/processed_cdrs/data/cdrs-link"), dir.resolve("cdrs"));
    Files.createSymbolicLink(dir.resolve("state/tmp/etl-old-link"), dir.resolve("old"));
    Files.writeString(dir.resolve("state/tmp/mine.txt"), "mine too");
    Map<String, String> cdrs = FileTree.snapshot(dir.resolve("cdrs"));
    Map<String, String> old = FileTree.snapshot(dir.resolve("old"));
    Map<String, String> everything = FileTree.snapshot(dir);

    CliRun refused = cdr("destroy");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err().strip())
        .isEqualTo(
            "error: destroy removes data and asks first, but there is no terminal "
                + "to ask on: run it in a terminal, or add --yes");
    assertThat(refused.out()).isEmpty();
    CliRun declined = typed("n", "destroy");
    assertThat(declined.code()).as(declined.err()).isEqualTo(1);
    assertThat(declined.out())
        .containsPattern("processed table processed_cdrs: \\d+ files") // data, metadata, the link
        .contains("Iceberg catalog entry: cdrs.processed_cdrs in the jdbc catalog")
        .contains("reports: 2 files")
        .contains("executions 4")
        .contains("quarantine records 3")
        .contains("state files")
        .contains("nothing was removed");
    assertThat(FileTree.snapshot(dir)).isEqualTo(everything);

    CliRun done = typed("y", "destroy");
    assertThat(done.code()).as(done.err()).isZero();
    assertThat(done.out())
        .contains("removed processed table processed_cdrs")
        .contains("removed reports")
        .contains("deleted " + dir.resolve("state/catalog.db"))
        .contains(
            "kept "
                + dir.resolve("state/tmp")
                + ", "
                + dir.resolve("state")
                + ": they hold files cdr did not make");
    assertThat(FileTree.snapshot(dir.resolve("cdrs"))).isEqualTo(cdrs);
    assertThat(FileTree.snapshot(dir.resolve("old"))).isEqualTo(old);
    assertThat(dir.resolve("lake/processed_cdrs")).doesNotExist();
    assertThat(dir.resolve("reports/reports")).doesNotExist();
    assertThat(FileTree.snapshot(dir.resolve("state")).keySet())
        .containsExactlyInAnyOrder("/", "notes.txt", "tmp/", "tmp/mine.txt");
    assertThat(dir.resolve("cdrs")).isDirectory();

    CliRun again = cdr("destroy", "--yes");
    assertThat(again.code()).isZero();
    assertThat(again.out())
        .contains(
            "nothing to destroy: cdr has made nothing here for this config (or it was destroyed already)");
    assertThat(dir.resolve("state/catalog.db")).doesNotExist(); // looking made nothing anew
  }

  /**
   * Destroy right after an {@code --async} execution reported its status waits for the runner
   * process, which still holds the catalog open and writes its log, and then removes everything.
   */
  @Test
  void destroyWaitsForABackgroundRunnerThatIsStillEnding() throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "cdrBucket: cdrs\nprocessedBucket: lake\nreportsBucket: reports\n"
            + "stateDir: state\nserver: {port: "
            + freePort()
            + "}\n");
    ok("generate", "--date", "2026-11-02", "--calls", "20");
    // the runner stops right after the status
    env.put(
        "CDR_JAVA_OPTS",
        "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dcdr.failpoint=runner.ended:pause");
    String id = ok("start", "daily", "--date", "2026-11-02", "--async").out().strip();
    env.remove("CDR_JAVA_OPTS");
    Path log = dir.resolve("state/logs/" + id + ".log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!(Files.exists(log)
        && Files.readString(log).contains("failpoint runner.ended paused"))) {
      assertThat(System.nanoTime())
          .as(
              "the runner reaches its end: "
                  + (Files.exists(log) ? Files.readString(log) : "no log"))
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    long pid =
        Long.parseLong(Files.readString(log).replaceAll("(?s).*run by process (\\d+).*", "$1"));
    ProcessHandle runner = ProcessHandle.of(pid).orElseThrow();
    assertThat(BackgroundRunner.alive(dir.resolve("state"))).containsExactly(id);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> destroy =
        CompletableFuture.supplyAsync(
            () ->
                CdrCommand.execute(
                    new String[] {"destroy", "--yes"},
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8),
                    env,
                    dir,
                    null));
    try {
      while (!err.toString(StandardCharsets.UTF_8)
          .contains("waiting for the background run of " + id + " to end")) {
        assertThat(destroy).as("destroy returned without waiting: " + out + err).isNotDone();
        Thread.sleep(20);
      }
      assertThat(dir.resolve("state/catalog.db"))
          .exists(); // nothing removed while the runner lives
      assertThat(destroy).isNotDone();
    } finally {
      runner.destroyForcibly();
      assertThat(runner.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    }
    assertThat(destroy.get(60, TimeUnit.SECONDS)).as(out + "" + err).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("deleted " + dir.resolve("state/catalog.db"));
    assertThat(dir.resolve("state")).doesNotExist();
    assertThat(dir.resolve("lake/processed_cdrs")).doesNotExist();
  }

  /**
   * Hostile configs: the product's places around or next to a CDR bucket. The buckets are never
   * changed; what lies outside them is removed.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "CDR bucket inside the table      | cdrBucket: lake/processed_cdrs/raw\\nprocessedBucket: lake\\nreportsBucket: reports\\nstateDir: state | lake/processed_cdrs/data",
        "processed next to the CDR bucket | cdrBucket: cdrs\\nprocessedBucket: cdrs-processed\\nreportsBucket: cdrs-reports\\nstateDir: cdrs-state | cdrs-processed/processed_cdrs",
      })
  void noConfigMakesDestroyChangeACdrBucket(String name, String yaml, String removed)
      throws Exception {
    String config = yaml.replace("\\n", "\n");
    String cdrBucket = config.replaceAll("(?s).*cdrBucket: (\\S+).*", "$1");
    Files.createDirectories(dir.resolve("cdrs"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("cdrs"));
    Files.createDirectories(dir.resolve("old"));
    ok(
        "generate",
        "--bucket",
        dir.resolve(cdrBucket).toString(),
        "--date",
        "2026-11-02",
        "--calls",
        "30",
        "--malformed",
        "2");
    ok("generate", "--bucket", "old", "--date", "2026-10-30", "--calls", "10");
    Files.writeString(dir.resolve("cdr.yaml"), config + "\nserver: {port: " + freePort() + "}\n");
    ok("etl", "--date", "2026-11-02");
    ok("start", "daily", "--date", "2026-11-02");
    ok("start", "report", "--month", "2026-11");
    assertThat(dir.resolve(removed)).exists();
    Map<String, String> cdrs = FileTree.snapshot(dir.resolve(cdrBucket));
    Map<String, String> old = FileTree.snapshot(dir.resolve("old"));

    CliRun done = cdr("destroy", "--yes");
    assertThat(done.code()).as(done.err() + done.out()).isZero();
    assertThat(FileTree.snapshot(dir.resolve(cdrBucket))).as(done.out()).isEqualTo(cdrs);
    assertThat(FileTree.snapshot(dir.resolve("old"))).as(done.out()).isEqualTo(old);
    assertThat(dir.resolve(removed)).as(done.out()).doesNotExist();
    assertThat(Files.isSymbolicLink(dir.resolve("link"))).isTrue();

    CliRun again = cdr("destroy", "--yes");
    assertThat(again.code()).isZero();
    assertThat(again.out()).as(again.out()).contains("nothing to destroy");
    assertThat(FileTree.snapshot(dir.resolve(cdrBucket))).isEqualTo(cdrs);
  }

  /**
   * Hostile configs: the product's places at or inside a CDR bucket, by name or by link. The loader
   * refuses them, so no command writes into the bucket and destroy never reaches it.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "processed is the CDR bucket      | cdrBucket: cdrs\\nprocessedBucket: cdrs\\nreportsBucket: reports\\nstateDir: state | processedBucket",
        "reports are in the CDR bucket    | cdrBucket: cdrs\\nreportsBucket: cdrs\\nprocessedBucket: lake\\nstateDir: state   | reportsBucket",
        "state inside the CDR bucket      | cdrBucket: cdrs\\nstateDir: cdrs/state\\nprocessedBucket: lake\\nreportsBucket: reports | stateDir",
        "state is the CDR bucket          | cdrBucket: cdrs\\nstateDir: cdrs\\nprocessedBucket: lake\\nreportsBucket: reports | stateDir",
        "processed in the additional one  | cdrBucket: cdrs\\nadditionalCdrBucket: old\\nprocessedBucket: old\\nreportsBucket: old/r\\nstateDir: state | processedBucket",
        "processed a link to the bucket   | cdrBucket: cdrs\\nprocessedBucket: link\\nreportsBucket: reports\\nstateDir: state | processedBucket",
      })
  void aConfigThatWritesIntoACdrBucketIsRefusedByEveryCommand(String name, String yaml, String key)
      throws Exception {
    Files.createDirectories(dir.resolve("cdrs"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("cdrs"));
    ok("generate", "--bucket", "cdrs", "--date", "2026-11-02", "--calls", "30");
    ok("generate", "--bucket", "old", "--date", "2026-10-30", "--calls", "10");
    Map<String, String> cdrs = FileTree.snapshot(dir.resolve("cdrs"));
    Map<String, String> old = FileTree.snapshot(dir.resolve("old"));
    Files.writeString(
        dir.resolve("cdr.yaml"),
        yaml.replace("\\n", "\n") + "\nserver: {port: " + freePort() + "}\n");
    for (String[] args :
        List.of(
            new String[] {"etl", "--date", "2026-11-02"},
            new String[] {"start", "daily", "--date", "2026-11-02"},
            new String[] {"report", "--month", "2026-11"},
            new String[] {"destroy", "--yes"})) {
      CliRun r = cdr(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
      assertThat(r.err().strip())
          .startsWith("config error: bad value for '" + key + "'")
          .contains("cdr never writes into a CDR bucket")
          .doesNotContain("\n");
    }
    assertThat(FileTree.snapshot(dir.resolve("cdrs"))).isEqualTo(cdrs);
    assertThat(FileTree.snapshot(dir.resolve("old"))).isEqualTo(old);
    assertThat(Files.isSymbolicLink(dir.resolve("link"))).isTrue();
  }

  /** Every object of a bucket with the SHA-256 of its content. */
  static Map<String, String> objects(S3Client s3, String bucket) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket)).contents()) {
      byte[] content = s3.getObjectAsBytes(r -> r.bucket(bucket).key(o.key())).asByteArray();
      out.put(
          o.key(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }
    return out;
  }

  static Set<String> buckets(S3Client s3) {
    Set<String> names = new TreeSet<>();
    s3.listBuckets().buckets().forEach(b -> names.add(b.name()));
    return names;
  }

  @Test
  void onS3TheBucketsLaunchMadeGoAndTheCdrBucketsStayByteForByte() throws Exception {
    try (S3Server server = new S3Server()) {
      server.createBucket("d-cdrs");
      server.createBucket("d-old");
      server
          .store("d-old", "", 2)
          .put("archive-notes.txt", "next to the archive".getBytes(StandardCharsets.UTF_8));
      List<String> credentials =
          List.of(
              "-Daws.accessKeyId=" + S3Server.ACCESS_KEY,
              "-Daws.secretAccessKey=" + S3Server.SECRET_KEY);
      System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
      try (S3Client s3 = server.store("d-cdrs", "", 2).client()) {
        // the reports next to the additional bucket's prefix (archive-reports is not inside
        // archive)
        Files.writeString(
            dir.resolve("cdr.yaml"),
            "cdrBucket: s3://d-cdrs\nadditionalCdrBucket: s3://d-old/archive\n"
                + "processedBucket: s3://d-lake/tables\nreportsBucket: s3://d-old/archive-reports\nstateDir: state\n"
                + "launch: {fullEtl: true}\nschedules: {daily: off, monthlyReport: off}\n"
                + "server: {port: 0, baseUrl: 'http://localhost:1'}\n"
                + "s3: {endpoint: \""
                + server.endpoint()
                + "\", region: us-east-1, maxConcurrency: 8}\n");
        ok("generate", "--date", "2026-11-02", "--calls", "40", "--malformed", "2");
        ok("generate", "--bucket", "s3://d-old/archive", "--date", "2026-10-30", "--calls", "10");
        Process launch = child(credentials, "launch");
        WorkflowCliTest.Output out = new WorkflowCliTest.Output(launch);
        try {
          out.awaitContaining("serving the console and the API on");
          WorkflowCliTest.signal(launch, "TERM");
          assertThat(launch.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
          launch.destroyForcibly();
        }
        assertThat(String.join("\n", out.all)).contains("bucket s3://d-lake");
        ok("start", "report", "--month", "2026-11");
        ok(
            "query",
            "SELECT count(*) FROM processed_cdrs WHERE year = 2026"); // fills the local cache
        assertThat(dir.resolve("state/cache")).isNotEmptyDirectory();
        Map<String, String> cdrs = objects(s3, "d-cdrs");
        Map<String, String> old = objects(s3, "d-old");
        assertThat(old.keySet()).anyMatch(k -> k.startsWith("archive-reports/reports/2026-11/"));
        assertThat(objects(s3, "d-lake")).isNotEmpty();

        CliRun done = cdr("destroy", "--yes");
        assertThat(done.code()).as(done.err() + done.out()).isZero();
        assertThat(objects(s3, "d-cdrs")).isEqualTo(cdrs);
        old.keySet().removeIf(k -> k.startsWith("archive-reports/"));
        assertThat(objects(s3, "d-old"))
            .as(done.out())
            .isEqualTo(old); // the archive and the notes beside it
        assertThat(old).containsKey("archive-notes.txt");
        assertThat(buckets(s3))
            .as(done.out())
            .containsExactly("d-cdrs", "d-old"); // the bucket launch made is gone
        assertThat(dir.resolve("state")).doesNotExist();

        assertThat(cdr("destroy", "--yes").out()).contains("nothing to destroy");

        // a hostile one: the processed table in the CDR bucket itself, refused before anything is
        // written
        Files.writeString(
            dir.resolve("cdr.yaml"),
            "cdrBucket: s3://d-cdrs\nprocessedBucket: s3://d-cdrs\n"
                + "reportsBucket: s3://d-cdrs/reports-of-cdr\nstateDir: state\n"
                + "s3: {endpoint: \""
                + server.endpoint()
                + "\", region: us-east-1, maxConcurrency: 8}\n");
        Map<String, String> before = objects(s3, "d-cdrs");
        for (String[] args :
            List.of(
                new String[] {"etl", "--date", "2026-11-02"}, new String[] {"destroy", "--yes"})) {
          CliRun hostile = cdr(args);
          assertThat(hostile.code()).as(hostile.err()).isEqualTo(2);
          assertThat(hostile.err())
              .contains("bad value for 'processedBucket'")
              .contains("s3://d-cdrs is inside the CDR bucket s3://d-cdrs");
        }
        assertThat(objects(s3, "d-cdrs")).isEqualTo(before);
        assertThat(dir.resolve("state/catalog.db")).doesNotExist();
      } finally {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
  }

  static Set<String> tables(String url) throws Exception {
    return Database.openExisting(url).orElseThrow().tables();
  }

  @Test
  void aSharedPostgresKeepsEverythingButCdrsOwnTables() throws Exception {
    String url = Postgres.freshDatabase();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, what TEXT)");
      s.execute("INSERT INTO orders VALUES (1, 'kept')");
    }
    int port = freePort();
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "cdrBucket: cdrs\nstateDir: state\ncatalogUrl: '"
            + url
            + "'\n"
            + "schedules: {daily: 'cron(0 9 * * ? *)', monthlyReport: off}\nbackfill: false\n"
            + "server: {port: "
            + port
            + "}\n");
    ok("generate", "--date", "2026-11-02", "--calls", "20", "--malformed", "1");
    ok("start", "daily", "--date", "2026-11-02");
    Process launch =
        child(List.of(), "launch"); // the scheduler makes its tables in the shared database
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(launch);
    try {
      out.awaitContaining("schedule daily");
      CliRun busy = cdr("destroy", "--yes");
      assertThat(busy.code()).isEqualTo(2);
      assertThat(busy.err().strip())
          .isEqualTo(
              "error: a cdr service answers on http://127.0.0.1:"
                  + port
                  + "/: stop it first (Ctrl-C, or 'systemctl stop' of its unit), then run destroy again");
      WorkflowCliTest.signal(launch, "TERM");
      assertThat(launch.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      launch.destroyForcibly();
    }
    assertThat(tables(url)).contains("qrtz_locks", "executions", "cdr_schema_history");
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO qrtz_locks (sched_name, lock_name) VALUES ('another-app', 'TRIGGER_ACCESS')");
    }

    CliRun done = cdr("destroy", "--yes");
    assertThat(done.code()).as(done.err() + done.out()).isZero();
    assertThat(done.out()).contains("its other tables are kept").contains("orders");
    Set<String> left = tables(url);
    assertThat(left)
        .contains("orders", "qrtz_locks", "qrtz_triggers")
        .doesNotContain(
            "executions", "cdr_schema_history", "processed_days", "quarantine", "schedule_runs");
    assertThat(left).allMatch(t -> t.equals("orders") || t.startsWith("qrtz_"));
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT what FROM orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("kept");
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*), min(sched_name) FROM qrtz_locks")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1); // only the other scheduler's
        assertThat(rs.getString(2)).isEqualTo("another-app");
      }
      s.execute("DELETE FROM qrtz_locks");
    }
    assertThat(cdr("destroy", "--yes").out()).contains("nothing to destroy");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "destroy --yse                 | Unknown option: '--yse'; see 'cdr destroy --help'",
        "launch --port abc             | Invalid value for option '--port': 'abc' is not a whole number; see 'cdr launch --help'",
        "launch --full-etl=maybe       | Invalid value for option '--full-etl'",
        "service-unit extra            | Unmatched argument at index 1: 'extra'; see 'cdr service-unit --help'",
        "configure --daily-workers     | Missing required parameter for option '--daily-workers' (N); see 'cdr configure --help'",
      })
  void usageMistakesOfTheLifecycleCommandsAreOneLine(String args, String line) throws Exception {
    CliRun r = cdr(args.split(" "));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("error: " + line).doesNotContain("\n");
    assertThat(r.out()).isEmpty();
    CliRun help = cdr(args.split(" ")[0], "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Usage: cdr " + args.split(" ")[0]);
  }

  @Test
  void aRunningExecutionIsStoppedFirst() throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "server: {port: " + freePort() + "}\n"); // the defaults under ./data
    ok("generate", "--date", "2026-11-04", "--calls", "200");
    Process run =
        child(
            List.of("-Dcdr.failpoint=etl.read@20:pause"), "start", "daily", "--date", "2026-11-04");
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(run);
    String id;
    try {
      id = out.await("started ").split(" ")[1];
      out.await("failpoint etl.read paused");
      CliRun busy = cdr("destroy", "--yes");
      assertThat(busy.code()).isEqualTo(2);
      assertThat(busy.err().strip())
          .startsWith("error: execution " + id + " is running (owner ")
          .endsWith(
              "): stop it ('cdr executions stop "
                  + id
                  + "') or the service that runs it, then run destroy again");
      assertThat(dir.resolve("data/state/catalog.db")).exists();
    } finally {
      io.cdrpipeline.testing.Processes.kill(run);
    }
    // killed: nobody runs it any more, so its record goes with the rest
    CliRun done = cdr("destroy", "--yes");
    assertThat(done.code()).as(done.err()).isZero();
    assertThat(dir.resolve("data/state/catalog.db")).doesNotExist();
    assertThat(dir.resolve("data/cdr-bucket")).isNotEmptyDirectory();
  }
}
