package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.testing.WebhookReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day is never deleted because its raw files are gone, nor silently replaced by far fewer: the
 * same rule for {@code cdr etl}, the daily and full workflows (and so the API and backfill, which
 * start them), as a user runs them.
 */
class KeptDaysCliTest {
  static final String DAY = "2026-11-04";

  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();
  WebhookReceiver hook;

  @BeforeEach
  void config() throws IOException {
    hook = new WebhookReceiver();
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "notifications:\n  - {type: webhook, url: '" + hook.url() + "'}\n");
  }

  @AfterEach
  void stop() {
    hook.close();
  }

  CliRun cdr(String... args) {
    return CliRun.in(dir, env, args);
  }

  CliRun ok(String... args) {
    CliRun r = cdr(args);
    assertThat(r.code()).as("%s: %s%s", List.of(args), r.err(), r.out()).isZero();
    return r;
  }

  long rows(String day) {
    String[] d = day.split("-");
    String out =
        ok(
                "query",
                "--format",
                "csv",
                "SELECT count(*) AS n FROM processed_cdrs WHERE year = "
                    + d[0]
                    + " AND month = "
                    + Integer.parseInt(d[1])
                    + " AND day = "
                    + Integer.parseInt(d[2]))
            .out();
    return Long.parseLong(out.lines().toList().get(1));
  }

  /** The id of the table's current snapshot, as {@code cdr table history} shows it. */
  String snapshot() {
    return ok("table", "history")
        .out()
        .lines()
        .filter(l -> l.endsWith("(current)"))
        .findFirst()
        .orElseThrow()
        .replaceAll(".*\\s(\\d+) \\(current\\)$", "$1");
  }

  /** The day folders of a day, one per voice connector. */
  List<Path> dayFolders(String day) throws IOException {
    Path json = dir.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json");
    try (Stream<Path> vcs = Files.list(json)) {
      return vcs.map(vc -> vc.resolve(day.replace('-', '/'))).filter(Files::isDirectory).toList();
    }
  }

  /** What a lifecycle rule on the CDR bucket does: the day's raw folders go away. */
  void moveAway(String day) throws IOException {
    Path away = Files.createDirectories(dir.resolve("moved-away"));
    for (Path folder : dayFolders(day)) {
      Files.move(
          folder,
          away.resolve(folder.getParent().getParent().getParent().getFileName().toString()));
    }
  }

  /** Deletes {@code n} of a day's raw files (a day folder half expired, a copy half done). */
  void deleteFiles(String day, int n) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dayFolders(day).get(0))) {
      files = s.sorted().limit(n).toList();
    }
    assertThat(files).hasSize(n);
    for (Path f : files) {
      Files.delete(f);
    }
  }

  @Test
  void aDayWhoseRawFolderIsGoneKeepsItsRowsAndTheDailyWorkflowFailsCommittingNothing()
      throws Exception {
    ok("generate", "--date", DAY, "--calls", "3");
    ok("crawl", "raw");
    ok("etl", "--date", DAY);
    assertThat(rows(DAY)).isEqualTo(3);
    String before = snapshot();
    moveAway(DAY);

    CliRun daily = cdr("start", "daily", "--date", DAY);
    assertThat(daily.code()).as(daily.out()).isEqualTo(1);
    String error =
        "ETL of "
            + DAY
            + " refused: no raw CDR files for "
            + DAY
            + " in "
            + dir.resolve("data/cdr-bucket")
            + ": nothing processed, nothing recorded; the day keeps its 3 rows (committed from 3 raw files), "
            + "'cdr table drop-day --date "
            + DAY
            + "' removes them";
    assertThat(daily.out()).contains("step etl FAILED: " + error).contains(" FAILED: " + error);
    assertThat(rows(DAY)).isEqualTo(3);
    assertThat(snapshot()).isEqualTo(before); // nothing committed
    assertThat(ok("table", "history").out().lines().filter(l -> l.contains(DAY))).hasSize(1);
    // the failure branch ran, as for any failed step: one error notification
    List<JsonNode> sent = hook.await(1, 10_000);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).get("subject").asText()).isEqualTo("Error Processing CDRs");
    assertThat(sent.get(0).get("message").asText()).isEqualTo("Error Processing CDRs: " + error);

    // Force does not make an empty day: that is what drop-day is for
    CliRun forced = cdr("start", "daily", "--input", "{\"Date\":\"" + DAY + "\",\"Force\":true}");
    assertThat(forced.code()).isEqualTo(1);
    assertThat(forced.out()).contains("FAILED: " + error);
    // cdr etl says the same, before any work
    CliRun etl = cdr("etl", "--date", DAY);
    assertThat(etl.code()).isEqualTo(1);
    assertThat(etl.err().strip())
        .isEqualTo(
            "warning: no raw CDR files for "
                + DAY
                + " in "
                + dir.resolve("data/cdr-bucket")
                + ": nothing processed, nothing recorded; the day keeps its 3 rows (committed from 3 raw files), "
                + "'cdr table drop-day --date "
                + DAY
                + "' removes them (--allow-empty to make this not an error)");
    // the full run keeps such a day too (crawled before its folder went), and it is no failure of
    // the full run: raw files expire
    CliRun full = ok("etl", "--full");
    assertThat(full.out()).contains(DAY + ": kept as it was: no raw CDR files for " + DAY);
    assertThat(rows(DAY)).isEqualTo(3);
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void aShrinkBeyondMaxShrinkIsRefusedByEtlAndTheWorkflowsUnlessForced() throws Exception {
    ok("generate", "--date", DAY, "--calls", "10", "--connectors", "1");
    ok("generate", "--date", "2026-11-05", "--calls", "8", "--connectors", "1", "--seed", "2");
    ok("crawl", "raw");
    ok("etl", "--full");
    String before = snapshot();
    deleteFiles(DAY, 6); // 10 -> 4: 60% fewer, beyond the default 50%

    CliRun etl = cdr("etl", "--date", DAY);
    assertThat(etl.code()).isEqualTo(1);
    String why =
        DAY
            + " has 4 raw files in "
            + dir.resolve("data/cdr-bucket")
            + " where its last commit had 10 (60% fewer, "
            + "more than etl.maxShrink 50%): nothing processed, nothing recorded, the day keeps its 10 rows";
    assertThat(etl.err().strip())
        .isEqualTo(
            "error: ETL of "
                + DAY
                + " refused: "
                + why
                + "; to replace it anyway: cdr etl "
                + "--date "
                + DAY
                + " --force, or \"Force\": true in the daily workflow's input");
    assertThat(rows(DAY)).isEqualTo(10);
    assertThat(snapshot()).isEqualTo(before);

    CliRun daily = cdr("start", "daily", "--date", DAY);
    assertThat(daily.code()).isEqualTo(1);
    assertThat(daily.out()).contains("FAILED: ETL of " + DAY + " refused: " + why);
    assertThat(rows(DAY)).isEqualTo(10);
    assertThat(snapshot()).isEqualTo(before);

    // the full run keeps the shrunken day, does the others, and fails naming it
    deleteFiles("2026-11-05", 1); // 8 -> 7: within the limit, replaced
    CliRun full = cdr("etl", "--full");
    assertThat(full.code()).isEqualTo(1);
    assertThat(full.out())
        .contains("2026-11-05: 7 files read, 7 rows written")
        .contains(DAY + ": kept as it was: " + why);
    assertThat(full.err().strip())
        .isEqualTo(
            "error: ETL refused 1 day whose raw files shrank by more than etl.maxShrink "
                + "50%: "
                + DAY
                + " (4 raw files, its last commit had 10); nothing of it was committed, each keeps its previous "
                + "data, the other days are done; to replace them anyway: cdr etl --full --force, or \"Force\": true in the full "
                + "workflow's input");
    assertThat(rows(DAY)).isEqualTo(10);
    assertThat(rows("2026-11-05")).isEqualTo(7);
    CliRun fullWorkflow = cdr("start", "full");
    assertThat(fullWorkflow.code()).isEqualTo(1);
    assertThat(fullWorkflow.out()).contains("FAILED: ETL refused 1 day whose raw files shrank");
    assertThat(rows(DAY)).isEqualTo(10);

    // forced through the workflow's input: replaced
    CliRun forced = ok("start", "daily", "--input", "{\"Date\":\"" + DAY + "\",\"Force\":true}");
    assertThat(forced.out()).contains("SUCCEEDED").contains("\"rowsWritten\" : 4");
    assertThat(rows(DAY)).isEqualTo(4);
    // Force is a flag, checked as strictly as every other key
    CliRun notAFlag =
        cdr("start", "daily", "--input", "{\"Date\":\"" + DAY + "\",\"Force\":\"yes\"}");
    assertThat(notAFlag.code()).isEqualTo(2);
    assertThat(notAFlag.err())
        .isEqualTo(
            "error: input Force: expected true or false, got \"yes\" (leave the key out for "
                + "false)\n");
  }

  @Test
  void etlForceReplacesAShrunkenDayAndMaxShrinkIsTheConfigs() throws Exception {
    ok("generate", "--date", DAY, "--calls", "10", "--connectors", "1");
    ok("etl", "--date", DAY);
    deleteFiles(DAY, 6);
    assertThat(cdr("etl", "--date", DAY).code()).isEqualTo(1);
    assertThat(ok("etl", "--date", DAY, "--force").out()).contains("4 rows written");
    assertThat(rows(DAY)).isEqualTo(4);

    deleteFiles(DAY, 3); // 4 -> 1: 75% fewer, within a limit of 80%
    Files.writeString(dir.resolve("cdr.yaml"), "etl: {maxShrink: 80%}\n");
    assertThat(ok("etl", "--date", DAY).out()).contains("1 rows written");
    Files.writeString(dir.resolve("cdr.yaml"), "etl: {maxShrink: 0.8}\n");
    CliRun bad = cdr("etl", "--date", DAY);
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().strip())
        .isEqualTo(
            "config error: bad value for 'etl.maxShrink' in "
                + dir.resolve("cdr.yaml")
                + ": expected a percentage from 0% to 100%, e.g. 50%, got 0.8");
  }
}
