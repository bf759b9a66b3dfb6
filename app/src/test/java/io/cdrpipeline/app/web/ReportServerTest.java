package io.cdrpipeline.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.report.SignedServerLinks;
import io.cdrpipeline.store.LocalStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportServerTest {
  static final String KEY = "reports/2026-10/npanxx.csv";
  static final byte[] CSV =
      "npanxx,TotalDuration,CallCount\n206555,1234,1\n\"a,b\",5,1\nZoë,7,1\n,99,1\n"
          .getBytes(StandardCharsets.UTF_8);
  static final String SECRET_TEXT = "THE-SECRET-CONTENT";

  @TempDir Path tmp;
  final MovableClock clock = new MovableClock(Instant.parse("2026-11-02T09:00:00Z"));
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  LinkSigner signer;
  ReportServer server;
  SignedServerLinks links;

  @BeforeEach
  void start() throws Exception {
    LocalStore reports = new LocalStore(tmp.resolve("reports"));
    reports.put(KEY, CSV);
    reports.put("secret.txt", SECRET_TEXT.getBytes(StandardCharsets.UTF_8));
    reports.put(
        "reports/2026-10/.npanxx.csv.hidden.tmp", SECRET_TEXT.getBytes(StandardCharsets.UTF_8));
    Files.writeString(tmp.resolve("outside.txt"), SECRET_TEXT);
    signer = LinkSigner.fromStateDir(tmp.resolve("state"));
    server = new ReportServer(reports, signer, clock).start("127.0.0.1", 0);
    links = new SignedServerLinks("http://127.0.0.1:" + server.port(), signer, clock);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aSignedLinkDownloadsTheExactBytes() throws Exception {
    assertThat(server.port()).isPositive();
    HttpResponse<byte[]> r = get(links.linkFor(KEY, Duration.ofDays(7)));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(CSV);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(
            v -> assertThat(v).startsWith("attachment; filename=").contains("npanxx.csv"));
  }

  @Test
  void aLinkPastItsExpiryIsGone() throws Exception {
    String url = links.linkFor(KEY, Duration.ofHours(1));
    clock.advance(Duration.ofMinutes(59));
    assertThat(get(url).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(1));
    HttpResponse<byte[]> r = get(url);
    assertThat(r.statusCode()).isEqualTo(410);
    assertThat(text(r)).isEqualTo("link expired");
  }

  @Test
  void aTamperedLinkIsForbidden() throws Exception {
    String url = links.linkFor(KEY, Duration.ofHours(1));
    String query = url.substring(url.indexOf('?'));
    String expires = query.replaceAll(".*expires=(\\d+).*", "$1");
    String signature = query.replaceAll(".*signature=([^&]+).*", "$1");
    String base = "http://127.0.0.1:" + server.port();
    for (String tampered :
        List.of(
            base + "/reports/2026-10/summary.csv" + query,
            base + "/reports/2026-11/npanxx.csv" + query,
            url.replace("expires=" + expires, "expires=" + (Long.parseLong(expires) + 3600)),
            url.replace(
                "signature=" + signature,
                "signature=" + (signature.startsWith("A") ? "B" : "A") + signature.substring(1)),
            url.replace("signature=" + signature, "signature="),
            base + "/" + KEY,
            base + "/" + KEY + "?expires=" + expires,
            base + "/" + KEY + "?signature=" + signature)) {
      HttpResponse<byte[]> r = get(tampered);
      assertThat(r.statusCode()).as(tampered).isEqualTo(403);
      assertThat(text(r)).as(tampered).isEqualTo("invalid signature");
    }
  }

  @Test
  void headIsCheckedLikeGet() throws Exception {
    String url = links.linkFor(KEY, Duration.ofHours(1));
    HttpResponse<byte[]> valid = head(url);
    assertThat(valid.statusCode()).isEqualTo(200);
    assertThat(valid.body()).isEmpty();
    assertThat(valid.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
    assertThat(head("http://127.0.0.1:" + server.port() + "/" + KEY).statusCode()).isEqualTo(403);
    // the signature's first character changed (to one it cannot already be)
    int at = url.indexOf("signature=") + "signature=".length();
    String tampered =
        url.substring(0, at) + (url.charAt(at) == 'A' ? 'B' : 'A') + url.substring(at + 1);
    assertThat(head(tampered).statusCode()).isEqualTo(403);
    assertThat(head(links.linkFor("reports/2026-09/npanxx.csv", Duration.ofHours(1))).statusCode())
        .isEqualTo(404);
    assertThat(
            head("http://127.0.0.1:" + server.port() + "/reports/2026-10/.npanxx.csv.hidden.tmp")
                .statusCode())
        .isEqualTo(404);
    clock.advance(Duration.ofHours(1));
    assertThat(head(url).statusCode()).isEqualTo(410);
  }

  @Test
  void aPortInUseOrAnAddressOfAnotherMachineIsOneLineWithTheCause() throws Exception {
    ReportServer second = new ReportServer(new LocalStore(tmp.resolve("reports")), signer, clock);
    assertThatThrownBy(() -> second.start("127.0.0.1", server.port()))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot listen on 127.0.0.1:" + server.port() + ": ")
        .hasMessageContaining("in use")
        .hasMessageNotContaining("\n");
    // 192.0.2.0/24 is for documentation only (RFC 5737): never an address of this machine
    assertThatThrownBy(
            () ->
                new ReportServer(new LocalStore(tmp.resolve("reports")), signer, clock)
                    .start("192.0.2.7", 0))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "cannot listen on 192.0.2.7: 192.0.2.7 is not an address of this machine"
                + " (e.g. 127.0.0.1, or 0.0.0.0 for every address)");
    assertThatThrownBy(
            () ->
                new ReportServer(new LocalStore(tmp.resolve("reports")), signer, clock)
                    .start("no-such-host.invalid", 0))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot listen on no-such-host.invalid: unknown host");
    assertThat(get("http://127.0.0.1:" + server.port() + "/health").statusCode())
        .isEqualTo(200); // the first one serves on
  }

  @Test
  void aValidLinkToAMissingReportIsNotFound() throws Exception {
    HttpResponse<byte[]> r = get(links.linkFor("reports/2026-09/npanxx.csv", Duration.ofHours(1)));
    assertThat(r.statusCode()).isEqualTo(404);
  }

  @Test
  void traversalNeverServesAnotherFileEvenWithAValidSignatureForItsPath() throws Exception {
    Instant expires = clock.instant().plus(Duration.ofHours(1));
    for (String path :
        List.of(
            "/reports/../secret.txt",
            "/reports/2026-10/../../secret.txt",
            "/reports/2026-10/../../../outside.txt",
            "/reports/%2e%2e/secret.txt",
            "/reports/2026-10/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/reports/2026-10/..%2F..%2Fsecret.txt",
            "/reports/2026-10/..%5C..%5Csecret.txt",
            "/reports/..%2F..%2Foutside.txt/x",
            "/reports/2026-10/%2Fsecret.txt",
            "/reports//secret.txt",
            "/reports/2026-10//secret.txt",
            "/reports/2026-10/.npanxx.csv.hidden.tmp",
            "/reports/2026-10/%2enpanxx.csv.hidden.tmp",
            "/secret.txt",
            "/outside.txt",
            "/reports/2026-10/npanxx.csv/..")) {
      HttpResponse<byte[]> r =
          get("http://127.0.0.1:" + server.port() + path + "?" + signer.sign(path, expires));
      // Jetty itself refuses some ambiguous paths with 400 before they reach the route
      assertThat(r.statusCode()).as(path).isIn(400, 403, 404);
      assertThat(text(r)).as(path).doesNotContain(SECRET_TEXT);
    }
  }

  @Test
  void healthSaysOk() throws Exception {
    HttpResponse<byte[]> r = get("http://127.0.0.1:" + server.port() + "/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(text(r)).isEqualTo("ok");
  }

  private HttpResponse<byte[]> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> head(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /** A clock the test moves by hand, so expiry needs no sleeping. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the test clock is UTC only");
    }
  }
}
