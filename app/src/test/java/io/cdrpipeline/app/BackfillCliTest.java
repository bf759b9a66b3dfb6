package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.testing.WebhookReceiver;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Workflows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first start on real history, in a JVM of its own as a user starts it: each day is processed
 * once (a day committed from unchanged raw files is done, whatever committed it), backfill looks
 * only at the last {@code backfillDays}, and a burst of backfilled days sends one notification.
 */
class BackfillCliTest {
  static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

  @TempDir Path dir;
  WebhookReceiver hook;

  @BeforeEach
  void start() throws Exception {
    hook = new WebhookReceiver();
  }

  @AfterEach
  void stop() {
    hook.close();
  }

  CliRun ok(String... args) {
    CliRun r = CliRun.in(dir, new HashMap<>(), args);
    assertThat(r.code()).as("%s: %s", List.of(args), r.err()).isZero();
    return r;
  }

  void config(String extra) throws Exception {
    // a daily schedule that does not fire while the test runs: backfill runs with a daily schedule
    // only
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "schedules: {daily: 'cron(0 9 1 1 ? *)', monthlyReport: off}\n"
            + "server: {host: 127.0.0.1, port: 0, baseUrl: 'http://localhost:1'}\n"
            + "notifications:\n  - {type: webhook, url: '"
            + hook.url()
            + "'}\n"
            + extra);
  }

  /** {@code n} days of history up to yesterday, {@code calls} calls each. */
  List<LocalDate> history(int n, int calls) {
    List<LocalDate> days = new ArrayList<>();
    for (int i = n; i >= 1; i--) {
      LocalDate d = TODAY.minusDays(i);
      ok(
          "generate",
          "--date",
          d.toString(),
          "--calls",
          Integer.toString(calls),
          "--seed",
          Integer.toString(i));
      days.add(d);
    }
    return days;
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

  void stopService(Process p) throws Exception {
    WorkflowCliTest.signal(p, "TERM");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  Catalog catalog() {
    return new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("data/state/catalog.db")));
  }

  @Test
  void aFirstLaunchWithTheFullEtlProcessesEachDayOnceAndNotifiesOnce() throws Exception {
    List<LocalDate> days = history(10, 20);
    config("launch: {fullEtl: true}\n");
    Process p = child("launch");
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(p);
    try {
      out.awaitContaining("step=full-etl status=succeeded");
      // the service's backfill decides: the 7 days of its window were committed by the full ETL
      assertThat(out.awaitContaining("backfill: "))
          .contains(
              "3 days with raw data before "
                  + TODAY.minusDays(7)
                  + " left alone (backfillDays is 7");
      out.awaitContaining(
          "backfill: 7 days are committed from their raw files as they are now: not run again");
      stopService(p);
    } finally {
      p.destroyForcibly();
    }
    assertThat(out.all).noneMatch(l -> l.contains("backfill: daily"));
    ExecutionStore store = new ExecutionStore(catalog());
    List<Execution> all = store.list(Optional.empty(), Optional.empty(), 100);
    assertThat(all).extracting(Execution::workflow).containsExactly(Workflows.FULL);
    assertThat(all.get(0).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    // every day processed once, by the one full run
    List<ProcessedDay> processed = catalog().processedDays();
    assertThat(processed).extracting(ProcessedDay::day).containsExactlyElementsOf(days);
    assertThat(processed.stream().map(ProcessedDay::runId).distinct()).hasSize(1);
    assertThat(catalog().query("SELECT count(*) FROM etl_runs", rs -> rs.getLong(1)))
        .containsExactly(1L);
    // one notification in all: the full workflow's
    assertThat(hook.received).hasSize(1);
    assertThat(hook.received.get(0).get("message").asText())
        .isEqualTo("CDR Processing Complete: 10 days processed, 0 unchanged");

    // cdr serve alone on the same bucket does the same: nothing to do, nothing sent
    Process again = child("serve", "--port", "0");
    WorkflowCliTest.Output out2 = new WorkflowCliTest.Output(again);
    try {
      out2.awaitContaining(
          "backfill: 7 days are committed from their raw files as they are now: not run again");
      stopService(again);
    } finally {
      again.destroyForcibly();
    }
    assertThat(new ExecutionStore(catalog()).list(Optional.empty(), Optional.empty(), 100))
        .hasSize(1);
    assertThat(hook.received).hasSize(1);
  }

  @Test
  void serveOnAnExistingBucketBackfillsTheWindowWithOneSummaryNotification() throws Exception {
    history(9, 10);
    config("");
    ok("crawl", "raw");
    // one day of the window lost its raw folder after the crawl: its daily run fails, in the same
    // summary
    LocalDate gone = TODAY.minusDays(2);
    Path json = dir.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json");
    try (Stream<Path> vcs = Files.list(json)) {
      for (Path vc : vcs.toList()) {
        Path folder = vc.resolve(gone.toString().replace('-', '/'));
        if (Files.isDirectory(folder)) {
          Files.move(
              folder, Files.createDirectories(dir.resolve("moved")).resolve(vc.getFileName()));
        }
      }
    }
    Process p = child("serve", "--port", "0");
    WorkflowCliTest.Output out = new WorkflowCliTest.Output(p);
    try {
      out.awaitContaining("backfill: summary notification sent to ");
      stopService(p);
    } finally {
      p.destroyForcibly();
    }
    List<JsonNode> sent = hook.received;
    assertThat(sent).hasSize(1);
    JsonNode n = sent.get(0);
    assertThat(n.get("subject").asText()).isEqualTo("Error Processing CDRs");
    assertThat(n.get("status").asText()).isEqualTo("FAILED");
    assertThat(n.get("workflow").asText()).isEqualTo("daily");
    String message = n.get("message").asText();
    assertThat(message)
        .startsWith(
            "Error Processing CDRs: backfill of 7 days, "
                + TODAY.minusDays(7)
                + " to "
                + TODAY.minusDays(1)
                + ": 6 succeeded, 1 failed\n");
    assertThat(message.lines().skip(1).toList())
        .hasSize(7)
        .allMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2} .* \\(daily-.*\\)"));
    assertThat(message)
        .contains(TODAY.minusDays(1) + " SUCCEEDED, 10 rows")
        .contains(gone + " FAILED: ETL of " + gone + " refused: no raw CDR files for " + gone);

    ExecutionStore store = new ExecutionStore(catalog());
    List<Execution> runs = store.list(Optional.of(Workflows.DAILY), Optional.empty(), 100);
    assertThat(runs).hasSize(7).allMatch(e -> e.trigger().equals(Executor.BURST_TRIGGER));
    assertThat(runs).filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED).hasSize(6);
    for (Execution e : runs) {
      List<ExecutionEvent> events = store.events(e.id());
      assertThat(events).noneMatch(ev -> ev.type() == ExecutionEvent.Type.NOTIFICATION_SENT);
      assertThat(events)
          .filteredOn(ev -> ev.type() == ExecutionEvent.Type.NOTIFICATION_SKIPPED)
          .hasSize(1);
    }
    // the days before the window are left alone
    List<LocalDate> window = new ArrayList<>();
    for (int i = 7; i >= 1; i--) {
      if (i != 2) {
        window.add(TODAY.minusDays(i));
      }
    }
    assertThat(catalog().processedDays())
        .extracting(ProcessedDay::day)
        .containsExactlyElementsOf(window);
    assertThat(out.all)
        .anyMatch(
            l ->
                l.contains(
                    "backfill: 2 days with raw data before "
                        + TODAY.minusDays(7)
                        + " left alone (backfillDays is 7"));
  }
}
