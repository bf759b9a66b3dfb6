package io.cdrpipeline.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.app.ConsoleFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A token cannot be guessed by trying: ten wrong ones from an address close it for a while. */
class FailedLoginsTest {
  static final String TOKEN = "right-token-0123456789abcdef";

  @TempDir Path dir;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** A deployment with its console, the token set and the product's limit of wrong tokens. */
  ReportServer server() throws Exception {
    fixture =
        new ConsoleFixture(
            dir, "server:\n  token: " + TOKEN + "\n", "127.0.0.1", new FailedLogins());
    return fixture.server;
  }

  ConsoleFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  HttpResponse<String> get(ReportServer s, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> logIn(ReportServer s, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tenWrongBearerTokensCloseTheAddressEvenToTheRightTokenButNotTheHealthCheck()
      throws Exception {
    {
      ReportServer s = server();
      assertThat(get(s, "/api/tables", TOKEN).statusCode()).isNotIn(401, 429);
      for (int i = 0; i < 20; i++) {
        assertThat(get(s, "/api/tables", null).statusCode())
            .as("no token at all is not a guess")
            .isEqualTo(401);
      }
      for (int i = 0; i < FailedLogins.LIMIT; i++) {
        assertThat(get(s, "/api/tables", "guess-" + i).statusCode()).isEqualTo(401);
      }
      HttpResponse<String> refused = get(s, "/api/tables", TOKEN);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).contains("300");
      assertThat(refused.body()).contains("too many wrong tokens");
      assertThat(get(s, "/health", null).statusCode()).isEqualTo(200);
      assertThat(logIn(s, TOKEN).statusCode()).isEqualTo(429);
    }
  }

  @Test
  void tenWrongTokensInTheLoginFormCloseItToo() throws Exception {
    {
      ReportServer s = server();
      for (int i = 0; i < FailedLogins.LIMIT; i++) {
        assertThat(logIn(s, "guess-" + i).statusCode()).isEqualTo(401);
      }
      assertThat(logIn(s, TOKEN).statusCode()).isEqualTo(429);
      assertThat(get(s, "/api/tables", TOKEN).statusCode()).isEqualTo(429);
    }
  }

  @Test
  void theWindowCountsFromTheFirstFailureAndThenOpensAgain() {
    AtomicLong nanos = new AtomicLong();
    FailedLogins limit = new FailedLogins(3, Duration.ofMinutes(5), nanos::get);
    for (int i = 0; i < 3; i++) {
      assertThat(limit.blocked("10.0.0.1")).isFalse();
      limit.failed("10.0.0.1");
      nanos.addAndGet(Duration.ofSeconds(30).toNanos());
    }
    assertThat(limit.blocked("10.0.0.1")).isTrue();
    assertThat(limit.blocked("10.0.0.2")).isFalse();
    nanos.addAndGet(Duration.ofMinutes(4).toNanos()); // 5.5 minutes after the first failure
    assertThat(limit.blocked("10.0.0.1")).isFalse();
  }
}
