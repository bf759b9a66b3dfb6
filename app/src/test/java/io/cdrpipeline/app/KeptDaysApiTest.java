package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.model.ProcessedSchema;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the JSON API as the console and scripts use it: a day whose raw folder went away is kept
 * by a daily execution started with {@code POST /api/executions}, and a day or month outside the
 * one rule of dates is refused before anything starts.
 */
class KeptDaysApiTest {
  @TempDir static Path dir;
  static ConsoleFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new ConsoleFixture(dir, "", "127.0.0.1");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  long rows(LocalDate day) throws Exception {
    HttpResponse<String> r =
        f.post(
            "/api/query",
            "{\"sql\":\"SELECT count(*) AS n FROM processed_cdrs WHERE year = "
                + day.getYear()
                + " AND month = "
                + day.getMonthValue()
                + " AND day = "
                + day.getDayOfMonth()
                + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ConsoleFixture.json(r).get("rows").get(0).get(0).asLong();
  }

  Optional<Long> snapshot() {
    return f.ctx.processedTable().iceberg().refresh().currentSnapshotId();
  }

  @Test
  void aDailyExecutionOfADayWhoseRawFolderWentAwayFailsAndTheDayKeepsItsRows() throws Exception {
    LocalDate day = ConsoleFixture.DAYS.get(0);
    long before = rows(day);
    assertThat(before).isPositive();
    Optional<Long> snapshot = snapshot();
    try (Stream<Path> vcs = Files.list(f.cdrRoot())) {
      for (Path vc : vcs.toList()) {
        Path folder = vc.resolve(day.toString().replace('-', '/'));
        if (!Files.isDirectory(folder)) {
          continue; // a connector of other days
        }
        Files.move(
            folder, Files.createDirectories(dir.resolve("moved-away")).resolve(vc.getFileName()));
      }
    }
    HttpResponse<String> r =
        f.post("/api/executions", "{\"workflow\":\"daily\",\"input\":{\"Date\":\"" + day + "\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode e =
        f.awaitExecution(
            ConsoleFixture.json(r).get("id").asText(),
            x -> !x.get("status").asText().equals("RUNNING"));
    assertThat(e.get("status").asText()).isEqualTo("FAILED");
    assertThat(e.get("error").asText())
        .startsWith("ETL of " + day + " refused: no raw CDR files for " + day + " in ")
        .contains(String.format("the day keeps its %,d rows", before))
        .doesNotContain("\n");
    assertThat(e.get("steps").findValuesAsText("status"))
        .containsExactly("SUCCEEDED", "FAILED", "NOT_RUN", "NOT_RUN", "NOT_RUN", "NOT_RUN");
    assertThat(rows(day)).isEqualTo(before);
    assertThat(snapshot()).isEqualTo(snapshot);
    assertThat(f.ctx.catalog().processedDay(day).orElseThrow().rowsWritten()).isEqualTo(before);
  }

  @Test
  void daysAndMonthsOutsideTheRuleAreRefusedWithOneLineAndStartNothing() throws Exception {
    int executions =
        ConsoleFixture.json(f.get("/api/executions?limit=1000")).get("executions").size();
    for (String bad :
        List.of("-2026-11-02", "+12026-11-02", "0000-01-01", "2100-01-01", "2026-02-30")) {
      HttpResponse<String> r =
          f.post(
              "/api/executions", "{\"workflow\":\"daily\",\"input\":{\"Date\":\"" + bad + "\"}}");
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(ConsoleFixture.json(r).get("error").asText())
          .as(bad)
          .startsWith("input Date: ")
          .doesNotContain("\n");
    }
    assertThat(
            ConsoleFixture.json(
                    f.post(
                        "/api/executions",
                        "{\"workflow\":\"daily\",\"input\":{\"Date\":\"-2026-11-02\"}}"))
                .get("error")
                .asText())
        .isEqualTo("input Date: invalid date '-2026-11-02': expected YYYY-MM-DD, e.g. 2026-11-27");
    assertThat(
            ConsoleFixture.json(
                    f.post(
                        "/api/executions",
                        "{\"workflow\":\"daily\",\"input\":{\"Date\":\"0000-01-01\"}}"))
                .get("error")
                .asText())
        .isEqualTo("input Date: 0000-01-01 is out of range: the year must be from 2000 to 2099");
    for (String bad : List.of("-2026-10", "+12026-10", "0000-01")) {
      HttpResponse<String> r =
          f.post(
              "/api/executions", "{\"workflow\":\"report\",\"input\":{\"Month\":\"" + bad + "\"}}");
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(ConsoleFixture.json(r).get("error").asText()).as(bad).startsWith("input Month: ");
    }
    for (String bad : List.of("from=-2026-11-02", "to=%2B12026-11-02", "from=0000-01-01")) {
      HttpResponse<String> r = f.get("/api/cdrs?" + bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(ConsoleFixture.json(r).get("error").asText())
          .as(bad)
          .matches("(from|to): .*")
          .doesNotContain("\n");
    }
    HttpResponse<String> force =
        f.post("/api/executions", "{\"workflow\":\"full\",\"input\":{\"Force\":1}}");
    assertThat(force.statusCode()).isEqualTo(400);
    assertThat(ConsoleFixture.json(force).get("error").asText())
        .isEqualTo("input Force: expected true or false, got 1 (leave the key out for false)");
    // nothing started, nothing registered
    assertThat(ConsoleFixture.json(f.get("/api/executions?limit=1000")).get("executions").size())
        .isEqualTo(executions);
    assertThat(f.ctx.catalog().partitions(ProcessedSchema.TABLE))
        .allMatch(p -> p.date().getYear() == 2026);
    assertThat(f.ctx.catalog().processedDays()).allMatch(d -> d.day().getYear() == 2026);
  }
}
