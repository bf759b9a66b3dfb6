package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.app.web.ReportServer;
import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.store.LocalStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Off loopback the server needs {@code server.token}: it refuses to listen without one, and with
 * one every route but {@code /health}, the login form and signed report links answers 401 without
 * it. The server listens on 0.0.0.0 and is reached on a non-loopback address of this machine when
 * it has one.
 */
class ApiAccessTest {
  static final String TOKEN = "s3cret-token-0123456789abcdef";
  @TempDir static Path dir;
  static ConsoleFixture f;
  static String address;

  @BeforeAll
  static void start() throws Exception {
    f = new ConsoleFixture(dir, "server:\n  host: 0.0.0.0\n  token: " + TOKEN + "\n", "0.0.0.0");
    address = nonLoopbackAddress().orElse("127.0.0.1");
    f.cli("report", "--month", "2026-10");
    Files.writeString(dir.resolve("data/reports/secret.txt"), "not for you");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  /** An IPv4 address of this machine that is not loopback, if it has one that is up. */
  static Optional<String> nonLoopbackAddress() throws IOException {
    for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!n.isUp() || n.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(n.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          return Optional.of(a.getHostAddress());
        }
      }
    }
    return Optional.empty();
  }

  /** A raw request to the server's non-loopback address, so that no client normalizes the path. */
  static String raw(String method, String path, String... headers) throws IOException {
    try (Socket s = new Socket(address, f.server.port())) {
      s.setSoTimeout(60_000);
      StringBuilder req =
          new StringBuilder(
              method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + address
                  + ":"
                  + f.server.port()
                  + "\r\nConnection: close\r\n");
      for (String h : headers) {
        req.append(h).append("\r\n");
      }
      if (method.equals("POST")) {
        req.append("Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
      } else {
        req.append("\r\n");
      }
      s.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int status(String answer) {
    return Integer.parseInt(answer.substring(9, 12));
  }

  static final List<String> GETS =
      List.of(
          "/",
          "/index.html",
          "/executions.html",
          "/execution.html?id=x",
          "/sql.html",
          "/catalog.html",
          "/reports.html",
          "/search.html",
          "/console.js",
          "/console.css",
          "/dashboard.js",
          "/webjars/chart.js/4.4.7/dist/chart.umd.js",
          "/metrics",
          "/api/executions",
          "/api/executions?status=RUNNING",
          "/api/executions/some-id",
          "/api/tables",
          "/api/tables/processed_cdrs",
          "/api/reports",
          "/api/cdrs",
          "/api/cdrs?format=csv",
          "/api/dashboard",
          "/no-such-page",
          "/reports/../api/tables",
          "/health/../api/tables",
          "/login/../api/tables",
          "/%61pi/tables",
          "/API/tables",
          "/api/tables/");
  static final List<String> POSTS =
      List.of("/api/executions", "/api/executions/some-id/stop", "/api/query", "/logout");

  @Test
  void everyRouteWithoutTheTokenIs401() throws Exception {
    for (String path : GETS) {
      for (String[] headers :
          List.of(
              new String[0],
              new String[] {"Authorization: Bearer wrong-token-0123456789"},
              new String[] {"Authorization: Basic " + TOKEN},
              new String[] {"Cookie: cdr_session=" + TOKEN})) {
        String a = raw("GET", path, headers);
        assertThat(status(a)).as(path + " " + String.join(",", headers)).isIn(400, 401);
        assertThat(a).as(path).doesNotContain("\"tables\"").doesNotContain("cdr_executions");
      }
    }
    for (String path : POSTS) {
      assertThat(status(raw("POST", path))).as(path).isIn(400, 401);
    }
    assertThat(status(raw("POST", "/api/query"))).isEqualTo(401);
    assertThat(raw("GET", "/api/tables")).contains("WWW-Authenticate: Bearer");
    // a browser gets the login form, still with 401
    String page = raw("GET", "/sql.html", "Accept: text/html");
    assertThat(status(page)).isEqualTo(401);
    assertThat(page).contains("<form method=\"post\" action=\"/login\"");
  }

  @Test
  void theTokenOpensEveryRoute() throws Exception {
    for (String path :
        List.of(
            "/",
            "/index.html",
            "/sql.html",
            "/console.js",
            "/webjars/chart.js/4.4.7/dist/chart.umd.js",
            "/metrics",
            "/api/executions",
            "/api/tables",
            "/api/tables/processed_cdrs",
            "/api/reports",
            "/api/cdrs",
            "/api/dashboard")) {
      assertThat(status(raw("GET", path, "Authorization: Bearer " + TOKEN)))
          .as(path)
          .isEqualTo(200);
    }
    HttpResponse<String> q =
        f.post("/api/query", "{\"sql\":\"SELECT 42 AS x\"}", "Authorization", "Bearer " + TOKEN);
    assertThat(q.statusCode()).isEqualTo(200);
    assertThat(q.body()).contains("[[42]]");
  }

  @Test
  void healthAndSignedReportLinksNeedNoToken() throws Exception {
    assertThat(status(raw("GET", "/health"))).isEqualTo(200);
    String link = f.ctx.reportLinks().linkFor("reports/2026-10/npanxx.csv", Duration.ofMinutes(5));
    String a = raw("GET", link.substring(link.indexOf("/reports/")));
    assertThat(status(a)).isEqualTo(200);
    assertThat(a)
        .endsWith(Files.readString(dir.resolve("data/reports/reports/2026-10/npanxx.csv")));
    // unsigned, the link is refused
    assertThat(status(raw("GET", "/reports/2026-10/npanxx.csv"))).isEqualTo(403);
  }

  @Test
  void aReportLinkCannotEscapeTheReportsFolderEvenWithAValidSignature() throws Exception {
    LinkSigner signer = f.ctx.signer();
    Instant expires = Instant.now().plus(Duration.ofHours(1));
    Path state = f.ctx.config().stateDir();
    for (String path :
        List.of(
            "/reports/../secret.txt",
            "/reports/2026-10/../../secret.txt",
            "/reports/%2e%2e/secret.txt",
            "/reports/%2E%2E/%2E%2E/state/link-secret",
            "/reports/2026-10/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/reports/2026-10/..%2F..%2F..%2Fstate%2Flink-secret",
            "/reports/2026-10/..%5C..%5Csecret.txt",
            "/reports/%2e./secret.txt",
            "/reports/.%2e/secret.txt",
            "/reports/2026-10/%252e%252e%252fsecret.txt",
            "/reports/" + state.resolve("link-secret"),
            "/reports/2026-10/" + state.resolve("link-secret").toString().replace("/", "%2F"),
            "/reports//etc/passwd",
            "/reports/2026-10//etc/passwd",
            "/reports/%2Fetc%2Fpasswd",
            "/reports/2026-10/%2Fetc%2Fpasswd",
            "//etc/passwd",
            "/reports/file:%2F%2F%2Fetc%2Fpasswd/x",
            "/reports/2026-10/npanxx.csv%00.txt",
            "/reports/../api/tables",
            "/reports/%2e%2e/api/tables",
            "/reports/..%2Fapi%2Ftables/x")) {
      String a = raw("GET", path + "?" + signer.sign(path, expires));
      assertThat(status(a)).as(path).isIn(400, 401, 403, 404);
      assertThat(a)
          .as(path)
          .doesNotContain("not for you")
          .doesNotContain("root:")
          .doesNotContain("\"tables\"");
    }
  }

  @Test
  void theLoginFormSetsAnHttpOnlyCookieThatOpensTheConsoleFromItsOwnPagesOnly() throws Exception {
    String wrong = raw("POST", "/login", "Content-Type: application/x-www-form-urlencoded");
    assertThat(status(wrong)).isEqualTo(401);
    String form = "token=" + TOKEN;
    String ok;
    try (Socket s = new Socket(address, f.server.port())) {
      s.getOutputStream()
          .write(
              ("POST /login HTTP/1.1\r\nHost: "
                      + address
                      + ":"
                      + f.server.port()
                      + "\r\nConnection: close\r\n"
                      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                      + form.length()
                      + "\r\n\r\n"
                      + form)
                  .getBytes(StandardCharsets.UTF_8));
      ok = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(status(ok)).isEqualTo(303);
    String cookieLine =
        ok.lines().filter(l -> l.startsWith("Set-Cookie: ")).findFirst().orElseThrow();
    assertThat(cookieLine).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(TOKEN);
    String cookie = cookieLine.substring("Set-Cookie: ".length(), cookieLine.indexOf(';'));
    assertThat(status(raw("GET", "/api/tables", "Cookie: " + cookie))).isEqualTo(200);
    assertThat(status(raw("GET", "/", "Cookie: " + cookie))).isEqualTo(200);
    // a change through the cookie must come from a page of this server
    String origin = "Origin: http://" + address + ":" + f.server.port();
    assertThat(status(raw("POST", "/api/executions/nope/stop", "Cookie: " + cookie, origin)))
        .isEqualTo(404);
    assertThat(
            status(
                raw(
                    "POST",
                    "/api/executions/nope/stop",
                    "Cookie: " + cookie,
                    "Origin: https://evil.example")))
        .isEqualTo(403);
    assertThat(
            status(
                raw(
                    "POST",
                    "/api/executions/nope/stop",
                    "Cookie: " + cookie,
                    "Sec-Fetch-Site: cross-site")))
        .isEqualTo(403);
    // the cookie is no bearer token
    assertThat(
            status(
                raw(
                    "GET",
                    "/api/tables",
                    "Authorization: Bearer " + cookie.substring(cookie.indexOf('=') + 1))))
        .isEqualTo(401);
  }

  /** Logs in through the form, as a browser does; the session cookie ("name=value"). */
  static String logIn() throws IOException {
    String form = "token=" + TOKEN;
    String ok;
    try (Socket s = new Socket(address, f.server.port())) {
      s.getOutputStream()
          .write(
              ("POST /login HTTP/1.1\r\nHost: "
                      + address
                      + ":"
                      + f.server.port()
                      + "\r\nConnection: close\r\n"
                      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                      + form.length()
                      + "\r\n\r\n"
                      + form)
                  .getBytes(StandardCharsets.UTF_8));
      ok = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(status(ok)).isEqualTo(303);
    String cookieLine =
        ok.lines().filter(l -> l.startsWith("Set-Cookie: ")).findFirst().orElseThrow();
    return cookieLine.substring("Set-Cookie: ".length(), cookieLine.indexOf(';'));
  }

  @Test
  void logoutEndsTheSessionOnTheServerSoItsCookieOpensNothingAfterwards() throws Exception {
    String mine = logIn();
    String other = logIn();
    assertThat(mine).isNotEqualTo(other); // a session each, not one cookie derived from the token
    assertThat(status(raw("GET", "/api/tables", "Cookie: " + mine))).isEqualTo(200);
    String out =
        raw(
            "POST",
            "/logout",
            "Cookie: " + mine,
            "Origin: http://" + address + ":" + f.server.port());
    assertThat(status(out)).isEqualTo(303);
    assertThat(out).contains("Max-Age=0");
    // a copy of the cookie, kept by the browser or by anyone who saw it, opens nothing any more
    assertThat(status(raw("GET", "/api/tables", "Cookie: " + mine))).isEqualTo(401);
    assertThat(status(raw("GET", "/", "Cookie: " + mine))).isEqualTo(401);
    assertThat(status(raw("POST", "/api/query", "Cookie: " + mine))).isEqualTo(401);
    // the other browser's session is its own
    assertThat(status(raw("GET", "/api/tables", "Cookie: " + other))).isEqualTo(200);
    // a page of another site cannot log a browser out either
    assertThat(status(raw("POST", "/logout", "Cookie: " + other, "Origin: https://evil.example")))
        .isEqualTo(403);
    assertThat(status(raw("GET", "/api/tables", "Cookie: " + other))).isEqualTo(200);
  }

  @Test
  void withoutATokenTheServerRefusesToListenOffLoopback() throws Exception {
    LocalStore reports = new LocalStore(dir.resolve("data/reports"));
    LinkSigner signer = new LinkSigner(new byte[32]);
    for (String host : List.of("0.0.0.0", address)) {
      if (host.equals("127.0.0.1")) {
        continue;
      }
      assertThatThrownBy(() -> new ReportServer(reports, signer, Clock.systemUTC()).start(host, 0))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("without server.token")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    // and cdr serve says so in one line, exit 1
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"serve", "--no-schedules", "--host", "0.0.0.0", "--port", "0"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new HashMap<>(),
            other);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .startsWith("error: cannot listen on 0.0.0.0:0 without server.token")
        .doesNotContain("\n");
  }
}
