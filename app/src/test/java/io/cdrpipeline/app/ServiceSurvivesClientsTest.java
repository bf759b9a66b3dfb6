package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.report.LinkSigner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdr serve} in a child JVM with a small heap, as an operator runs it, against clients that
 * ask too much or from the wrong place: results bounded in bytes, queries bounded in number, {@code
 * /health} and SIGTERM working whatever the load; changes only from the console's own pages with a
 * JSON body; report links no longer than {@code linkExpiry}.
 */
class ServiceSurvivesClientsTest {
  static final String HUGE = "SELECT repeat('x',250000) AS s FROM range(10000)";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Process service;
  static WorkflowCliTest.Output out;
  static String base;
  static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * A day processed and reported by the CLI, then the service in a child JVM with a 256 MB heap.
   */
  @BeforeAll
  static void startService() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "schedules: {daily: off, monthlyReport: off}\n"
            + "server: {port: "
            + port
            + ", baseUrl: '"
            + base
            + "'}\n");
    cli("generate", "--date", "2026-11-02", "--calls", "20");
    cli("etl", "--date", "2026-11-02");
    cli("report", "--month", "2026-11");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    service =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve",
                "--no-schedules")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    out = new WorkflowCliTest.Output(service);
    out.awaitContaining("serving the console and the API on");
  }

  @AfterAll
  static void stopService() {
    if (service != null) {
      service.destroyForcibly();
    }
  }

  static void cli(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new HashMap<>(),
            dir);
    assertThat(code)
        .as(String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8))
        .isZero();
  }

  static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(3));
  }

  static HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String contentType, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  static String health() throws Exception {
    return send(request("/health").timeout(Duration.ofSeconds(10)).build()).body();
  }

  static int executions() throws Exception {
    return JSON.readTree(send(request("/api/executions").build()).body()).get("executions").size();
  }

  @Test
  void threeHugeQueriesAtOnceAreRefusedWhileHealthAnswersAndTheHeapHolds() throws Exception {
    String body = JSON.createObjectNode().put("sql", HUGE).toString();
    List<CompletableFuture<HttpResponse<String>>> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(
          http.sendAsync(
              request("/api/query")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    assertThat(health()).isEqualTo("ok"); // while they run
    int tooLarge = 0;
    for (CompletableFuture<HttpResponse<String>> f : three) {
      HttpResponse<String> r = f.get(3, TimeUnit.MINUTES);
      JsonNode error = JSON.readTree(r.body()).path("error");
      if (r.statusCode() == 503) {
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(error.asText()).contains("query.apiConcurrency");
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(error.asText())
            .startsWith("the result is more than query.resultLimit (32MB) of text")
            .contains("LIMIT")
            .doesNotContain("\n");
        tooLarge++;
      }
    }
    assertThat(tooLarge).isPositive();
    assertThat(health()).isEqualTo("ok");
    // a result within the bounds still comes whole
    HttpResponse<String> small =
        post(
            "/api/query",
            "application/json",
            "{\"sql\":\"SELECT repeat('x', 1000) AS s FROM range(500)\"}");
    assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
    assertThat(JSON.readTree(small.body()).get("rowCount").asInt()).isEqualTo(500);
    assertThat(out.all).noneMatch(l -> l.contains("OutOfMemoryError"));
  }

  @Test
  void aCrossSiteChangeIsRefusedAndNothingStarts() throws Exception {
    String start = "{\"workflow\":\"report\",\"input\":{\"Month\":\"2026-11\"}}";
    int before = executions();
    // what a page of another site can send without asking first: a text/plain POST, with its Origin
    HttpResponse<String> evil =
        post("/api/executions", "text/plain", start, "Origin", "http://evil.example");
    assertThat(evil.statusCode()).as(evil.body()).isEqualTo(403);
    assertThat(JSON.readTree(evil.body()).get("error").asText())
        .contains("a change must come from a page of this server");
    for (String[] headers :
        List.of(
            new String[] {"Origin", "http://evil.example"},
            new String[] {"Origin", "null"},
            new String[] {"Origin", "http://localhost:1"},
            new String[] {"Sec-Fetch-Site", "cross-site"},
            new String[] {"Sec-Fetch-Site", "same-site"})) {
      for (String path :
          List.of("/api/executions", "/api/query", "/api/executions/some-id/stop", "/logout")) {
        HttpResponse<String> r = post(path, "application/json", start, headers);
        assertThat(r.statusCode()).as(path + " " + String.join(": ", headers)).isEqualTo(403);
      }
    }
    // a JSON body must say so, whoever sends it
    for (String type :
        new String[] {
          "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null
        }) {
      HttpResponse<String> r = post("/api/executions", type, start);
      assertThat(r.statusCode()).as(type).isEqualTo(415);
      assertThat(JSON.readTree(r.body()).get("error").asText())
          .contains("Content-Type: application/json");
    }
    assertThat(executions()).isEqualTo(before);
    // the console's own pages, and clients that are no page at all (curl, scripts), still may
    HttpResponse<String> own =
        post(
            "/api/query",
            "application/json; charset=utf-8",
            "{\"sql\":\"SELECT 42 AS x\"}",
            "Origin",
            base,
            "Sec-Fetch-Site",
            "same-origin");
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    HttpResponse<String> curl = post("/api/executions", "application/json", start);
    assertThat(curl.statusCode()).as(curl.body()).isEqualTo(201);
    assertThat(executions()).isEqualTo(before + 1);
  }

  @Test
  void aReportLinkLastingLongerThanLinkExpiryIsRefused() throws Exception {
    LinkSigner signer = LinkSigner.fromStateDir(dir.resolve("data/state"));
    String path = "/reports/2026-11/npanxx.csv";
    HttpResponse<String> forever =
        send(
            request(path + "?" + signer.sign(path, Instant.ofEpochSecond(9_999_999_999L))).build());
    assertThat(forever.statusCode()).isEqualTo(403);
    assertThat(forever.body()).isEqualTo("link lasts longer than linkExpiry allows");
    // linkExpiry is 1h by default: a link for a day is refused, one for the hour works
    HttpResponse<String> day =
        send(
            request(path + "?" + signer.sign(path, Instant.now().plus(Duration.ofDays(1))))
                .build());
    assertThat(day.statusCode()).isEqualTo(403);
    HttpResponse<String> hour =
        send(
            request(path + "?" + signer.sign(path, Instant.now().plus(Duration.ofMinutes(59))))
                .build());
    assertThat(hour.statusCode()).isEqualTo(200);
    assertThat(hour.body()).startsWith("npanxx,");
  }

  @Test
  void sigtermEndsTheServiceUnderLoad() throws Exception {
    // runs last by name order is not promised: its own child, not the shared one
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(
        other.resolve("cdr.yaml"),
        "schedules: {daily: off, monthlyReport: off}\n"
            + "server: {port: "
            + port
            + ", baseUrl: 'http://127.0.0.1:"
            + port
            + "'}\nquery: {apiTimeout: 1m}\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve",
                "--no-schedules")
            .directory(other.toFile())
            .redirectErrorStream(true)
            .start();
    try {
      WorkflowCliTest.Output o = new WorkflowCliTest.Output(p);
      o.awaitContaining("serving the console and the API on");
      String body = JSON.createObjectNode().put("sql", HUGE).toString();
      String slow =
          JSON.createObjectNode()
              .put("sql", "SELECT max(hash(i * j)) FROM range(100000000) a(i), range(100000) b(j)")
              .toString();
      List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
      for (String sql : List.of(body, body, slow, slow)) {
        load.add(
            http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/query"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(sql))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      HttpResponse<String> h =
          send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                  .timeout(Duration.ofSeconds(10))
                  .build());
      assertThat(h.body()).isEqualTo("ok");
      WorkflowCliTest.signal(p, "TERM");
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join("\n", o.all)).isTrue();
      assertThat(p.exitValue()).isEqualTo(143);
      assertThat(o.all).noneMatch(l -> l.contains("OutOfMemoryError"));
    } finally {
      p.destroyForcibly();
    }
  }
}
