package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.app.context.LogLine;
import io.cdrpipeline.app.lifecycle.ServiceUnitCommand;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.testing.S3Server;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Workflows;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdr launch} and {@code cdr service-unit}: set-up, the full workflow first, the service,
 * its lines, its stop.
 */
class LaunchCliTest {
  @TempDir Path dir;

  CliRun cdr(String... args) {
    return CliRun.in(dir, new HashMap<>(), args);
  }

  Process child(String failpoint, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    if (failpoint != null) {
      cmd.add("-Dcdr.failpoint=" + failpoint);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .directory(dir.toFile())
        .redirectError(dir.resolve("child.err").toFile())
        .start();
  }

  /** A logfmt line as fields; fails if it is not one. */
  static Map<String, String> fields(String line) {
    Map<String, String> m = new LinkedHashMap<>();
    int i = 0;
    while (i < line.length()) {
      int eq = line.indexOf('=', i);
      assertThat(eq).as("a key=value pair in: " + line).isPositive();
      String key = line.substring(i, eq);
      assertThat(key).as("a key in: " + line).matches("[a-z][A-Za-z]*");
      StringBuilder v = new StringBuilder();
      int j = eq + 1;
      if (j < line.length() && line.charAt(j) == '"') {
        for (j++; line.charAt(j) != '"'; j++) {
          v.append(line.charAt(j) == '\\' ? line.charAt(++j) : line.charAt(j));
        }
        j++;
      } else {
        for (; j < line.length() && line.charAt(j) != ' '; j++) {
          v.append(line.charAt(j));
        }
      }
      assertThat(m.put(key, v.toString())).as("one " + key + " in: " + line).isNull();
      i = j + 1;
    }
    assertThat(m).containsKeys("ts", "event");
    Instant.parse(m.get("ts"));
    return m;
  }

  void config(String extra) throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "cdrBucket: cdrs\nprocessedBucket: out/processed\nreportsBucket: out/reports\n"
            + "stateDir: out/state\nschedules: {daily: off, monthlyReport: off}\n"
            + "server: {host: 127.0.0.1, port: 0, baseUrl: 'http://localhost:1'}\n"
            + extra);
  }

  ExecutionStore store() {
    return new ExecutionStore(
        new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("out/state/catalog.db"))));
  }

  @Test
  void launchSetsUpRunsTheFullWorkflowFirstServesAndLogsEveryTransitionOnce() throws Exception {
    assertThat(
            cdr(
                    "generate",
                    "--bucket",
                    "cdrs",
                    "--date",
                    "2026-11-02",
                    "--calls",
                    "40",
                    "--malformed",
                    "2")
                .code())
        .isZero();
    config("launch: {fullEtl: true}\n");
    Process p = child(null, "launch"); // ./cdr.yaml, found without --config
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(p);
    String full;
    try {
      String serving = out.awaitContaining("serving the console and the API on http://127.0.0.1:");
      int port = Integer.parseInt(serving.replaceAll(".*http://127\\.0\\.0\\.1:(\\d+).*", "$1"));
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.body()).isEqualTo("ok");
      WorkflowCliTest.signal(p, "TERM");
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(143);
    } finally {
      p.destroyForcibly();
    }
    List<Map<String, String>> lines = new ArrayList<>();
    for (String l : out.all) {
      lines.add(fields(l)); // every line is structured
    }
    List<String> steps =
        lines.stream()
            .filter(f -> f.get("event").equals("launch") && f.containsKey("step"))
            .map(f -> f.get("step") + " " + f.get("status"))
            .toList();
    assertThat(steps)
        .containsExactly(
            "check-service started",
            "check-service succeeded",
            "check-buckets started",
            "check-buckets succeeded",
            "create started",
            "create succeeded",
            "full-etl started",
            "full-etl succeeded",
            "service started");
    assertThat(lines)
        .anyMatch(f -> "service".equals(f.get("event")) && "stopping".equals(f.get("message")));

    ExecutionStore store = store();
    List<Execution> fulls = store.list(Optional.of(Workflows.FULL), Optional.empty(), 10);
    assertThat(fulls).hasSize(1);
    full = fulls.get(0).id();
    assertThat(fulls.get(0).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    List<ExecutionEvent> events = store.events(full);
    List<Map<String, String>> logged =
        lines.stream().filter(f -> full.equals(f.get("execution"))).toList();
    assertThat(logged).hasSameSizeAs(events); // one line per transition, no more
    for (ExecutionEvent ev : events) {
      assertThat(logged)
          .filteredOn(f -> f.get("seq").equals(Integer.toString(ev.seq())))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.get("event")).isEqualTo(ev.type().name().toLowerCase(Locale.ROOT));
                assertThat(f.get("workflow")).isEqualTo("full");
                assertThat(f.get("step")).isEqualTo(ev.step().orElse(null));
                assertThat(f.get("detail")).isEqualTo(ev.detail().orElse(null));
                assertThat(Instant.parse(f.get("ts"))).isEqualTo(ev.at());
              });
    }
    // ran before the service: its end precedes the service's first line
    int end = lines.indexOf(logged.get(logged.size() - 1));
    int service =
        lines.indexOf(
            lines.stream().filter(f -> "service".equals(f.get("step"))).findFirst().orElseThrow());
    assertThat(end).isLessThan(service);
    assertThat(dir.resolve("out/reports")).isDirectory();
    assertThat(cdr("catalog").out()).contains("processed_cdrs");
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out())
        .isEqualTo("n\n40\n");

    // launched again: the full workflow succeeded before, so it does not run again
    Process again = child(null, "launch", "--port", "0");
    WorkflowCliTest.Output out2 = new WorkflowCliTest.Output(again);
    try {
      assertThat(fields(out2.awaitContaining("step=full-etl status=succeeded")).get("detail"))
          .isEqualTo("skipped: a full workflow has succeeded before (--full-etl runs it again)");
      out2.awaitContaining("serving the console and the API on");
      WorkflowCliTest.signal(again, "TERM");
      assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      again.destroyForcibly();
    }
    assertThat(store().list(Optional.of(Workflows.FULL), Optional.empty(), 10)).hasSize(1);
  }

  @Test
  void aLaunchStoppedInTheFullWorkflowHandsItOverAndTheNextLaunchResumesItFirst() throws Exception {
    assertThat(
            cdr(
                    "generate",
                    "--bucket",
                    "cdrs",
                    "--date",
                    "2026-11-03",
                    "--calls",
                    "300",
                    "--seed",
                    "3")
                .code())
        .isZero();
    config("launch: {fullEtl: true}\n");
    Process first = child("etl.read@40:pause", "launch");
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(first);
    String id;
    try {
      id = fields(out.awaitContaining("event=step_started workflow=full")).get("execution");
      out.await("failpoint etl.read paused");
      WorkflowCliTest.signal(first, "TERM");
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).isEqualTo(143);
    } finally {
      first.destroyForcibly();
    }
    assertThat(out.all)
        .anyMatch(l -> l.contains("event=execution_handed_over") && l.contains("execution=" + id));
    assertThat(out.all).noneMatch(l -> l.contains("step=service"));
    Execution given = store().get(id).orElseThrow();
    assertThat(given.status()).isEqualTo(ExecutionStatus.RUNNING);
    assertThat(given.owner()).isEmpty();

    Process next = child(null, "launch");
    WorkflowCliTest.Output out2 = new WorkflowCliTest.Output(next);
    try {
      assertThat(fields(out2.awaitContaining("event=execution_resumed")).get("execution"))
          .isEqualTo(id);
      assertThat(fields(out2.awaitContaining("step=full-etl status=succeeded")).get("detail"))
          .isEqualTo(id + " SUCCEEDED");
      out2.awaitContaining("step=service status=started");
      WorkflowCliTest.signal(next, "TERM");
      assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      next.destroyForcibly();
    }
    assertThat(store().list(Optional.of(Workflows.FULL), Optional.empty(), 10)).hasSize(1);
    assertThat(
            cdr(
                    "query",
                    "--format",
                    "csv",
                    "SELECT count(*) AS n, count(DISTINCT callid) AS d FROM processed_cdrs")
                .out())
        .isEqualTo("n,d\n300,300\n");
  }

  @Test
  void hostAndPortOverrideTheConfigAndMistakesAreOneLine() throws Exception {
    assertThat(cdr("generate", "--bucket", "cdrs", "--date", "2026-11-02", "--calls", "5").code())
        .isZero();
    config("");
    CliRun port = cdr("launch", "--port", "70000");
    assertThat(port.code()).isEqualTo(2);
    assertThat(port.err().strip()).isEqualTo("error: --port: 70000 is not a port (0 to 65535)");
    CliRun host = cdr("launch", "--host", "203.0.113.9", "--port", "0");
    assertThat(host.code()).isEqualTo(1);
    assertThat(host.err().strip())
        .isEqualTo(
            "error: cannot listen on 203.0.113.9: 203.0.113.9 is not an address of this "
                + "machine (e.g. 127.0.0.1, or 0.0.0.0 for every address)");
    Files.writeString(dir.resolve("cdr.yaml"), "cdrBucket: nowhere\nstateDir: st\n");
    CliRun missing = cdr("launch");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().strip())
        .isEqualTo(
            "error: no such file or folder: "
                + dir.resolve("nowhere")
                + ": bucket folder does not exist");
    assertThat(missing.out()).contains("step=check-buckets status=failed");
    assertThat(dir.resolve("st/catalog.db"))
        .doesNotExist(); // nothing made before the buckets are checked
  }

  @Test
  void whatTheServiceWouldRefuseIsRefusedBeforeAnythingIsMadeOrProcessed() throws Exception {
    assertThat(cdr("generate", "--bucket", "cdrs", "--date", "2026-11-02", "--calls", "5").code())
        .isZero();
    config("launch: {fullEtl: true}\n"); // no token
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int busy = taken.getLocalPort();
      Map<String, List<String>> refusals = new LinkedHashMap<>();
      refusals.put(
          "error: cannot listen on 127.0.0.1:"
              + busy
              + ": Address already in use (choose another with --port, "
              + "or server.port in the config)",
          List.of("launch", "--port", Integer.toString(busy)));
      refusals.put(
          "error: cannot listen on 10.99.99.99: 10.99.99.99 is not an address of this machine (e.g. 127.0.0.1, "
              + "or 0.0.0.0 for every address)",
          List.of("launch", "--host", "10.99.99.99"));
      refusals.put(
          "error: cannot listen on 0.0.0.0:0 without server.token: off loopback the console and the API need a "
              + "token (set server.token in the config, e.g. to the output of 'openssl rand -hex 32')",
          List.of("launch", "--host", "0.0.0.0"));
      for (Map.Entry<String, List<String>> r : refusals.entrySet()) {
        CliRun run = cdr(r.getValue().toArray(String[]::new));
        assertThat(run.code()).as(r.getKey()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo(r.getKey());
        List<String> steps =
            run.out()
                .lines()
                .map(LaunchCliTest::fields)
                .filter(f -> f.containsKey("step"))
                .map(f -> f.get("step") + " " + f.get("status"))
                .toList();
        assertThat(steps)
            .as(r.getKey())
            .containsExactly("check-service started", "check-service failed");
        // nothing made: no state folder, catalog, table or report folder, and no day processed
        assertThat(dir.resolve("out")).as(r.getKey()).doesNotExist();
      }
      // cdr serve alone refuses as early: its catalog is not made either
      CliRun serve = cdr("serve", "--host", "10.99.99.99");
      assertThat(serve.code()).isEqualTo(1);
      assertThat(serve.err().strip()).startsWith("error: cannot listen on 10.99.99.99: ");
      assertThat(dir.resolve("out")).doesNotExist();
    }
  }

  @Test
  void anS3BucketOfTheTableThatCannotBeReachedIsToldBeforeAnythingIsMade() throws Exception {
    assertThat(cdr("generate", "--bucket", "cdrs", "--date", "2026-11-02", "--calls", "5").code())
        .isZero();
    try (S3Server s3 = new S3Server()) {
      Files.writeString(
          dir.resolve("cdr.yaml"),
          "cdrBucket: cdrs\nprocessedBucket: s3://lake/tables\nreportsBucket: out/reports\n"
              + "stateDir: out/state\nlaunch: {fullEtl: true}\nschedules: {daily: off, monthlyReport: off}\n"
              + "server: {host: 127.0.0.1, port: 0, baseUrl: 'http://localhost:1'}\n"
              + "s3: {endpoint: '"
              + s3.endpoint()
              + "', region: us-east-1}\n");
      System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
      System.setProperty(
          "aws.secretAccessKey", "not-the-secret-key"); // the server refuses these credentials
      CliRun r;
      try {
        r = cdr("launch");
      } finally {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err().strip())
          .startsWith("error: cannot reach the bucket s3://lake/tables: ")
          .doesNotContain("\n");
      assertThat(r.out())
          .contains("step=check-buckets status=failed")
          .doesNotContain("step=create");
      assertThat(dir.resolve("out")).doesNotExist(); // no state folder, catalog or report folder
    }
  }

  @Test
  void serviceUnitRunsThisLaunchWithThisConfig() throws Exception {
    config("");
    CliRun r = cdr("service-unit", "--user", "cdr", "--java-options", "-Xmx2g");
    assertThat(r.code()).as(r.err()).isZero();
    String unit = r.out();
    String java = ProcessHandle.current().info().command().orElseThrow();
    assertThat(unit)
        .contains("\nUser=cdr\n")
        .contains("\nWorkingDirectory=" + dir + "\n")
        .contains("\nExecStart=" + java + " -Xmx2g -cp ")
        .contains(" io.cdrpipeline.app.Main --config " + dir.resolve("cdr.yaml") + " launch\n")
        .contains("\nRestart=on-failure\n")
        .contains("\nSuccessExitStatus=143\n")
        .contains("\nWantedBy=multi-user.target\n");
    assertThat(ServiceUnitCommand.quote("/opt/my cdr/100%")).isEqualTo("\"/opt/my cdr/100%%\"");
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    if (Files.isExecutable(analyze)) {
      Path file = dir.resolve("cdr.service");
      Files.writeString(file, unit.replace("User=cdr", "User=root"));
      Process v =
          new ProcessBuilder(analyze.toString(), "verify", file.toString())
              .redirectErrorStream(true)
              .start();
      String said = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(v.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(v.exitValue()).as(said).isZero();
    }
    Files.writeString(dir.resolve("cdr.yaml"), "dailyWorkers: lots\n");
    CliRun bad = cdr("service-unit");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().strip()).startsWith("config error: bad value for 'dailyWorkers'");
  }

  @Test
  void logLinesQuoteWhatNeedsIt() {
    assertThat(
            LogLine.of(
                Instant.parse("2026-11-27T09:00:00Z"),
                "step_failed",
                LogLine.fields("step", "etl", "detail", "a \"b\" = c\\d\nnext", "none", null)))
        .isEqualTo(
            "ts=2026-11-27T09:00:00Z event=step_failed step=etl detail=\"a \\\"b\\\" = c\\\\d next\"");
    assertThat(fields(LogLine.of(Instant.EPOCH, "x", LogLine.fields("detail", "a \"b\" = c\\d"))))
        .containsEntry("detail", "a \"b\" = c\\d");
  }
}
