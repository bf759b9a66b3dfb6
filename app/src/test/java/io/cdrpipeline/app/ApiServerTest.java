package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.app.web.CdrSearch;
import io.cdrpipeline.catalog.ProcessedDay;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.testing.FileTree;
import io.cdrpipeline.testing.RawFiles;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.Workflows;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API on loopback without a token, against a real catalog, DuckDB and folders. */
class ApiServerTest {
  @TempDir static Path dir;
  static ConsoleFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new ConsoleFixture(dir, "query:\n  apiRowLimit: 50\n  apiTimeout: 2s\n", "127.0.0.1");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void theDashboardTakesARangeAndAConnectorAndRefusesBadOnes() throws Exception {
    // without a range: the days up to the newest processed day, by the calls' start
    JsonNode d = ConsoleFixture.json(f.get("/api/dashboard"));
    assertThat(d.get("from").asText()).isEqualTo("2026-10-30T00:00:00Z");
    assertThat(d.get("to").asText()).isEqualTo("2026-11-02T00:00:00Z");
    assertThat(d.get("bucket").asText()).isEqualTo("day");
    assertThat(d.get("labels").toString())
        .isEqualTo("[\"2026-10-30\",\"2026-10-31\",\"2026-11-01\"]");
    assertThat(d.get("newestProcessedDay").asText()).isEqualTo("2026-11-01");
    // 24 hours across a day's end, one point per hour, of the calls that started in them
    java.time.Instant from = java.time.Instant.parse("2026-10-31T06:00:00Z");
    java.time.Instant to = java.time.Instant.parse("2026-11-01T06:00:00Z");
    List<JsonNode> started = new ArrayList<>();
    for (ConsoleFixture.Kept k : f.keptRecords()) {
      java.time.Instant t =
          java.time.Instant.ofEpochSecond(k.record().get("StartTimeEpochSeconds").asLong());
      if (!t.isBefore(from) && t.isBefore(to)) {
        started.add(k.record());
      }
    }
    d = ConsoleFixture.json(f.get("/api/dashboard?from=2026-10-31T06:00Z&to=2026-11-01T06:00:00Z"));
    assertThat(d.get("bucket").asText()).isEqualTo("hour");
    assertThat(d.get("labels")).hasSize(24);
    assertThat(d.get("labels").get(0).asText()).isEqualTo("2026-10-31 06:00");
    assertThat(d.get("labels").get(23).asText()).isEqualTo("2026-11-01 05:00");
    assertThat(d.get("kpis").get("calls").asLong()).isEqualTo(started.size());
    long sum = 0;
    for (JsonNode n : d.get("calls")) {
      sum += n.asLong();
    }
    assertThat(sum).isEqualTo(started.size());
    assertThat(d.get("kpis").get("failed").asLong())
        .isEqualTo(
            started.stream().filter(r -> r.path("Status").asText().equals("Failed")).count());
    // one voice connector: its calls only, the others still offered
    String vc = started.get(0).get("VoiceConnectorId").asText();
    d =
        ConsoleFixture.json(
            f.get("/api/dashboard?from=2026-10-31T06:00Z&to=2026-11-01T06:00Z&connector=" + vc));
    assertThat(d.get("connector").asText()).isEqualTo(vc);
    assertThat(d.get("allConnectors"))
        .extracting(JsonNode::asText)
        .containsExactlyElementsOf(
            new java.util.TreeSet<>(
                started.stream().map(r -> r.get("VoiceConnectorId").asText()).toList()));
    assertThat(d.get("connectors")).hasSize(1);
    assertThat(d.get("kpis").get("calls").asLong())
        .isEqualTo(
            started.stream().filter(r -> r.get("VoiceConnectorId").asText().equals(vc)).count());
    // mistakes: one line each, 400
    Map<String, String> bad = new java.util.LinkedHashMap<>();
    bad.put("from=2026-10-30", "from and to go together");
    bad.put("from=yesterday&to=2026-10-31", "from: 'yesterday' (expected a day YYYY-MM-DD");
    bad.put("from=2026-02-30&to=2026-03-01", "from: '2026-02-30'");
    bad.put("from=2026-10-31&to=2026-10-30", "is not before to");
    bad.put("from=2025-01-01&to=2026-10-30", "longer than 366 days");
    bad.put("from=2026-10-30&to=2026-10-31&days=3", "days or from/to, not both");
    bad.put("days=0", "days: '0'");
    bad.put("connector=x'%20OR%201=1", "is not a voice connector id");
    for (Map.Entry<String, String> b : bad.entrySet()) {
      HttpResponse<String> r = f.get("/api/dashboard?" + b.getKey());
      assertThat(r.statusCode()).as(b.getKey()).isEqualTo(400);
      assertThat(ConsoleFixture.json(r).get("error").asText())
          .as(b.getKey())
          .contains(b.getValue())
          .doesNotContain("\n");
    }
  }

  @Test
  void healthNeedsNothing() throws Exception {
    HttpResponse<String> r = f.get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
  }

  @Test
  void aDailyExecutionStartedThroughTheApiRunsToSucceededWithItsStepTimeline() throws Exception {
    HttpResponse<String> r =
        f.post("/api/executions", "{\"workflow\":\"daily\",\"input\":{\"Date\":\"2026-10-31\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = ConsoleFixture.json(r).get("id").asText();
    assertThat(r.headers().firstValue("Location")).contains("/api/executions/" + id);
    JsonNode e = f.awaitExecution(id, x -> !x.get("status").asText().equals("RUNNING"));
    assertThat(e.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(e.get("trigger").asText()).isEqualTo("api");
    assertThat(e.get("input").get("Date").asText()).isEqualTo("2026-10-31");
    assertThat(e.get("output").get("rowsWritten").asLong())
        .isEqualTo(
            f.ctx.catalog().processedDay(ConsoleFixture.DAYS.get(1)).orElseThrow().rowsWritten());
    List<String> names = new ArrayList<>();
    for (JsonNode s : e.get("steps")) {
      names.add(s.get("name").asText());
      assertThat(s.get("status").asText()).as(s.toString()).isEqualTo("SUCCEEDED");
      assertThat(s.get("durationSeconds").asDouble()).isGreaterThanOrEqualTo(0);
      assertThat(s.get("attempts").asInt()).isEqualTo(1);
    }
    assertThat(names)
        .containsExactly(
            "crawl-raw", "etl", "crawl-processed", "maintain-table", "alarms", "notify");
    assertThat(e.get("events").get(0).get("type").asText()).isEqualTo("EXECUTION_STARTED");

    JsonNode list = ConsoleFixture.json(f.get("/api/executions?status=SUCCEEDED&workflow=daily"));
    assertThat(list.get("executions").findValuesAsText("id")).contains(id);
    assertThat(
            ConsoleFixture.json(f.get("/api/executions?status=FAILED"))
                .get("executions")
                .findValuesAsText("id"))
        .doesNotContain(id);
    assertThat(
            ConsoleFixture.json(f.get("/api/executions?workflow=report"))
                .get("executions")
                .findValuesAsText("id"))
        .doesNotContain(id);

    String metrics = f.get("/metrics").body();
    assertThat(metrics)
        .contains(
            "cdr_executions{status=\"SUCCEEDED\",workflow=\"daily\"} "
                + f.ctx
                    .executions()
                    .list(
                        Optional.of("daily"),
                        Optional.of(io.cdrpipeline.workflow.ExecutionStatus.SUCCEEDED),
                        1000)
                    .size()
                + ".0");
    assertThat(metrics)
        .containsPattern(
            "cdr_step_duration_seconds_count\\{step=\"etl\",workflow=\"daily\"\\} [1-9]");
  }

  @Test
  void mistakesInAStartAreOneLine() throws Exception {
    for (String body :
        List.of(
            "{\"workflow\":\"daily\",\"input\":{\"date\":\"2026-10-31\"}}",
            "{\"workflow\":\"weekly\"}",
            "{\"workflow\":\"daily\",\"input\":{\"Date\":\"2026-02-30\"}}",
            "{\"workflow\":\"daily\",\"extra\":1}",
            "{\"workflow\":\"daily\",\"workflow\":\"full\"}",
            "not json",
            "[1]",
            "{\"workflow\":\"daily\",\"input\":[1]}",
            "")) {
      HttpResponse<String> r = f.post("/api/executions", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(ConsoleFixture.json(r).get("error").asText())
          .as(body)
          .isNotBlank()
          .doesNotContain("\n");
    }
    assertThat(f.get("/api/executions?status=DONE").statusCode()).isEqualTo(400);
    assertThat(f.get("/api/executions?limit=0").statusCode()).isEqualTo(400);
    assertThat(f.get("/api/executions/no-such-id").statusCode()).isEqualTo(404);
  }

  @Test
  void stopEndsARunningExecutionAborted() throws Exception {
    // an execution nobody runs yet: the stop ends it at once
    Execution e =
        f.executor.start(Workflows.REPORT, Workflows.input("Month", "2020-01"), "test", false);
    HttpResponse<String> r = f.post("/api/executions/" + e.id() + "/stop", "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(
            f.awaitExecution(e.id(), x -> !x.get("status").asText().equals("RUNNING"))
                .get("status")
                .asText())
        .isEqualTo("ABORTED");
    HttpResponse<String> again = f.post("/api/executions/" + e.id() + "/stop", "");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(f.post("/api/executions/nope/stop", "").statusCode()).isEqualTo(404);
  }

  @Test
  void theSeedsQueryGivesItsRowsAsJsonAndCsv() throws Exception {
    String seed =
        "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount FROM (SELECT npanxx, "
            + "SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx "
            + "ORDER BY npanxx";
    HttpResponse<String> r =
        f.post("/api/query", ConsoleFixture.JSON.createObjectNode().put("sql", seed).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = ConsoleFixture.json(r);
    assertThat(j.get("columns").toString())
        .isEqualTo("[\"npanxx\",\"TotalDuration\",\"CallCount\"]");
    // the npanxx of every valid raw record, by the spec's rule, computed from the files
    Set<String> npanxx = new HashSet<>();
    for (JsonNode rec : validRecords()) {
      npanxx.add(String.valueOf(RawFiles.npanxx(rec.path("DestinationPhoneNumber").asText(null))));
    }
    int expected = Math.min(50, npanxx.size());
    assertThat(j.get("rowCount").asInt()).isEqualTo(expected);
    assertThat(j.get("truncated").asBoolean()).isEqualTo(npanxx.size() > 50);
    assertThat(j.get("rows").get(0).get(2).asLong())
        .isEqualTo(1); // the seed's COUNT of groups, verbatim

    HttpResponse<String> csv =
        f.post(
            "/api/query",
            ConsoleFixture.JSON
                .createObjectNode()
                .put("sql", "SELECT count(*) AS calls FROM processed_cdrs")
                .put("format", "csv")
                .toString());
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    assertThat(csv.body()).isEqualTo("calls\n" + validRecords().size() + "\n");
    HttpResponse<String> accept =
        f.post("/api/query", "{\"sql\":\"SELECT 1 AS one\"}", "Accept", "text/csv");
    assertThat(accept.body()).isEqualTo("one\n1\n");
  }

  @Test
  void anExplainGivesThePlanAsTextAndAMissingTableNamesTheTables() throws Exception {
    HttpResponse<String> r =
        f.post(
            "/api/query",
            "{\"sql\":\"EXPLAIN ANALYZE SELECT hour, count(*) FROM processed_cdrs WHERE year = 2026 AND month = 10 GROUP BY hour\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = ConsoleFixture.json(r);
    List<String> plan = j.path("plan").asText().lines().toList();
    assertThat(plan)
        .hasSizeGreaterThan(
            10) // the lines as DuckDB drew them, for the console to show as they are
        .anySatisfy(l -> assertThat(l).contains("Query Profiling Information"))
        .anySatisfy(l -> assertThat(l.strip()).startsWith("\u2502").contains("Total Files Read:"));
    assertThat(
            ConsoleFixture.json(f.post("/api/query", "{\"sql\":\"SELECT 1 AS one\"}")).has("plan"))
        .isFalse();

    HttpResponse<String> missing = f.post("/api/query", "{\"sql\":\"SELECT * FROM nosuch\"}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(ConsoleFixture.json(missing).get("error").asText())
        .isEqualTo(
            "no table nosuch; the tables are processed_cdrs, "
                + "amazon_chime_voice_connector_cdrs, quarantined_cdrs (also under the database name, e.g. cdrs.processed_cdrs)");
  }

  @Test
  void aQueryIsCutAtTheRowLimitAndStoppedAtTheApiTimeout() throws Exception {
    JsonNode j =
        ConsoleFixture.json(f.post("/api/query", "{\"sql\":\"SELECT * FROM range(1000)\"}"));
    assertThat(j.get("rowCount").asInt()).isEqualTo(50);
    assertThat(j.get("truncated").asBoolean()).isTrue();
    long start = System.nanoTime();
    HttpResponse<String> slow =
        f.post(
            "/api/query",
            "{\"sql\":\"SELECT max(hash(i * j)) FROM range(100000000) a(i), range(100000) b(j)\"}");
    assertThat(slow.statusCode()).isEqualTo(400);
    assertThat(ConsoleFixture.json(slow).get("error").asText()).contains("query.apiTimeout");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
  }

  @Test
  void everyAttackOfTheHardeningIssueIsRefusedThroughTheApiAndNothingChanges() throws Exception {
    Path state = f.ctx.config().stateDir();
    Path root = f.ctx.processedStore().localPath("").orElseThrow();
    ProcessedDay day = f.ctx.catalog().processedDays().get(0);
    Path parquet = io.cdrpipeline.table.StoreFileIO.path(day.files().get(0).key());
    List<String> attacks =
        io.cdrpipeline.testing.QueryAttacks.statements(dir, state, root, parquet);
    Path cwd = Path.of("").toAbsolutePath();
    Map<String, String> before =
        FileTree.snapshot(dir, "catalog.db", "catalog.db-wal", "catalog.db-shm");
    Map<String, String> cwdBefore = FileTree.listing(cwd);
    String catalogBefore = FileTree.dump(f.ctx.catalog());
    List<String> ran = new ArrayList<>();
    for (String sql : attacks) {
      HttpResponse<String> r =
          f.post("/api/query", ConsoleFixture.JSON.createObjectNode().put("sql", sql).toString());
      if (r.statusCode() == 200) {
        ran.add(sql);
      } else {
        assertThat(r.statusCode()).as(sql).isEqualTo(400);
        assertThat(ConsoleFixture.json(r).get("error").asText())
            .as(sql)
            .isNotBlank()
            .doesNotContain("\n");
      }
    }
    assertThat(ran).as("statements that ran").isEmpty();
    assertThat(FileTree.snapshot(dir, "catalog.db", "catalog.db-wal", "catalog.db-shm"))
        .isEqualTo(before);
    assertThat(FileTree.listing(cwd)).isEqualTo(cwdBefore);
    assertThat(FileTree.dump(f.ctx.catalog())).isEqualTo(catalogBefore);
  }

  @Test
  void tablesShowColumnsPartitionsSchemaChangesAndQuarantineWithReasons() throws Exception {
    JsonNode all = ConsoleFixture.json(f.get("/api/tables"));
    assertThat(all.get("tables").findValuesAsText("name"))
        .containsExactly(ProcessedSchema.TABLE, ProcessedSchema.RAW_TABLE);
    assertThat(all.get("processedDays").asInt()).isEqualTo(3);
    JsonNode t = ConsoleFixture.json(f.get("/api/tables/processed_cdrs"));
    Map<String, String> types = new HashMap<>();
    for (JsonNode c : t.get("columns")) {
      types.put(c.get("name").asText(), c.get("type").asText());
    }
    assertThat(types)
        .containsEntry("callid", "VARCHAR")
        .containsEntry("duration", "BIGINT")
        .containsEntry("billabledurationminutes", "DOUBLE")
        .containsEntry("streaming", "BOOLEAN");
    assertThat(t.get("partitions").findValuesAsText("date"))
        .containsExactlyInAnyOrder("2026-10-30", "2026-10-31", "2026-11-01");
    assertThat(t.get("days").size()).isEqualTo(3);
    List<QuarantinedFile> q = f.ctx.catalog().quarantine(Optional.empty());
    assertThat(q).isNotEmpty();
    assertThat(t.get("quarantinedTotal").asInt()).isEqualTo(q.size());
    assertThat(t.get("quarantined").findValuesAsText("sourceKey"))
        .containsExactlyInAnyOrderElementsOf(q.stream().map(QuarantinedFile::sourceKey).toList());
    for (JsonNode x : t.get("quarantined")) {
      assertThat(x.get("reason").asText()).isNotBlank();
    }
    JsonNode raw = ConsoleFixture.json(f.get("/api/tables/amazon_chime_voice_connector_cdrs"));
    assertThat(raw.get("partitions").size()).isEqualTo(6); // 2 connectors x 3 days
    assertThat(raw.get("schemaChanges").size())
        .isEqualTo(f.ctx.catalog().schemaChanges(ProcessedSchema.RAW_TABLE).size());
    assertThat(f.get("/api/tables/catalog_tables").statusCode()).isEqualTo(404);
    assertThat(f.get("/api/tables/..%2F..%2Fstate").statusCode()).isIn(400, 404);
  }

  @Test
  void aReportStartedThroughTheApiIsListedWithALinkThatDownloadsItsCsv() throws Exception {
    HttpResponse<String> r =
        f.post("/api/executions", "{\"workflow\":\"report\",\"input\":{\"Month\":\"2026-10\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode e =
        f.awaitExecution(
            ConsoleFixture.json(r).get("id").asText(),
            x -> !x.get("status").asText().equals("RUNNING"));
    assertThat(e.get("status").asText()).as(e.toString()).isEqualTo("SUCCEEDED");
    JsonNode reports = ConsoleFixture.json(f.get("/api/reports"));
    JsonNode month = null;
    for (JsonNode m : reports.get("reports")) {
      if (m.get("month").asText().equals("2026-10")) {
        month = m;
      }
    }
    assertThat(month).as(reports.toString()).isNotNull();
    assertThat(month.get("files").findValuesAsText("name"))
        .containsExactly("npanxx.csv", "summary.csv");
    String link = month.get("files").get(0).get("link").asText();
    String path = link.substring(link.indexOf("/reports/"));
    HttpResponse<String> csv = f.get(path);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body())
        .isEqualTo(Files.readString(dir.resolve("data/reports/reports/2026-10/npanxx.csv")));
  }

  @Test
  void searchFindsAKnownCallByNumberConnectorDayAndStatusAndExportsCsv() throws Exception {
    JsonNode rec =
        validRecords().stream()
            .filter(x -> x.path("Status").asText().equals("Failed"))
            .findFirst()
            .orElseThrow();
    String number = rec.get("SourcePhoneNumber").asText();
    String connector = rec.get("VoiceConnectorId").asText();
    String digits = number.replace("+", "");
    String q =
        "/api/cdrs?number="
            + digits.substring(digits.length() - 7)
            + "&connector="
            + connector
            + "&from=2026-10-30&to=2026-11-01&status=failed&size=500";
    JsonNode page = ConsoleFixture.json(f.get(q));
    assertThat(page.get("rows").findValuesAsText("callid")).contains(rec.get("CallId").asText());
    for (JsonNode row : page.get("rows")) {
      assertThat(row.get("status").asText()).isEqualTo("Failed");
      assertThat(row.get("voiceconnectorid").asText()).isEqualTo(connector);
    }
    // every call of a day, in pages, each call once
    int total =
        ConsoleFixture.json(f.get("/api/cdrs?from=2026-10-30&to=2026-10-30&size=1"))
            .get("total")
            .asInt();
    assertThat(total).isEqualTo(ConsoleFixture.CALLS);
    Set<String> seen = new HashSet<>();
    for (int p = 1; ; p++) {
      JsonNode pg =
          ConsoleFixture.json(f.get("/api/cdrs?from=2026-10-30&to=2026-10-30&size=40&page=" + p));
      seen.addAll(pg.get("rows").findValuesAsText("callid"));
      if (!pg.get("hasMore").asBoolean()) {
        break;
      }
    }
    assertThat(seen).hasSize(ConsoleFixture.CALLS);
    HttpResponse<String> csv = f.get("/api/cdrs?from=2026-10-30&to=2026-11-01&format=csv");
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body().split("\n")).hasSize(validRecords().size() + 1);
    assertThat(csv.body()).startsWith(String.join(",", CdrSearch.COLUMNS) + "\n");
  }

  @Test
  void searchParametersAreCheckedNeverPastedIntoSql() throws Exception {
    for (String bad :
        List.of(
            "number=1'%20OR%20'1'='1",
            "number=%25",
            "connector=x'%20OR%20'1'='1",
            "connector=a%20b",
            "from=2026-13-01",
            "from=2026-11-02&to=2026-11-01",
            "status=Completed'--",
            "status=Busy",
            "page=0",
            "size=501",
            "page=abc",
            "from=2026-10-30'")) {
      HttpResponse<String> r = f.get("/api/cdrs?" + bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(ConsoleFixture.json(r).get("error").asText()).as(bad).doesNotContain("\n");
    }
  }

  @Test
  void aForeignHostNameIsRefusedWithoutAToken() throws Exception {
    // a page that rebinds its own name to 127.0.0.1 sends its own name as the Host
    Socket s = new Socket("127.0.0.1", f.server.port());
    try (s) {
      s.getOutputStream()
          .write(
              ("GET /api/tables HTTP/1.1\r\nHost: evil.example:"
                      + f.server.port()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 403");
    }
    assertThat(f.get("/api/tables").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsCountRowsWrittenAndFilesRejected() throws Exception {
    String m = f.get("/metrics").body();
    long rows =
        f.ctx.catalog().query("SELECT SUM(rows_written) FROM etl_runs", rs -> rs.getLong(1)).get(0);
    long rejected =
        f.ctx.catalog().query("SELECT SUM(rejected) FROM etl_runs", rs -> rs.getLong(1)).get(0);
    assertThat(rejected).isPositive();
    assertThat(m)
        .contains("cdr_etl_rows_written_total " + rows + ".0")
        .contains("cdr_etl_files_rejected_total " + rejected + ".0");
    f.post("/api/query", "{\"sql\":\"SELECT 1\"}");
    assertThat(f.get("/metrics").body())
        .containsPattern(
            "cdr_query_duration_seconds_count\\{endpoint=\"query\",outcome=\"ok\"\\} [1-9]");
  }

  static List<JsonNode> validRecords() throws Exception {
    return f.keptRecords().stream().map(ConsoleFixture.Kept::record).toList();
  }
}
