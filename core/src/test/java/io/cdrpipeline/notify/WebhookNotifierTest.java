package io.cdrpipeline.notify;

import static io.cdrpipeline.notify.Fixtures.FAST;
import static io.cdrpipeline.notify.Fixtures.LINK;
import static io.cdrpipeline.notify.Fixtures.report;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.notify.RecordingServer.Answer;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Delivery publishOnce(Subscription s, Notification n) {
    List<Delivery> out = Topic.of(List.of(s), FAST).publish(n);
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  @Test
  void postsTheNotificationAsJsonWithTheSecretInTheHeader() throws Exception {
    try (RecordingServer server = new RecordingServer(r -> Answer.of(204))) {
      var hook =
          new Subscription.Webhook(server.uri("/hooks/cdr"), Optional.of("s3cret"), "X-Hook-Token");

      Delivery d = publishOnce(hook, report());

      assertThat(d.delivered()).isTrue();
      assertThat(d.attempts()).isEqualTo(1);
      assertThat(server.requests()).hasSize(1);
      RecordingServer.Request r = server.requests().get(0);
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/hooks/cdr");
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.header("X-Hook-Token")).isEqualTo("s3cret");
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.size()).isEqualTo(6);
      assertThat(body.get("subject").asText()).isEqualTo("Monthly CDR report ready");
      assertThat(body.get("message").asText()).isEqualTo("The report for 2026-11 is ready.");
      assertThat(body.get("executionId").asText()).isEqualTo("exec-42");
      assertThat(body.get("workflow").asText()).isEqualTo("report");
      assertThat(body.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(body.get("link").asText()).isEqualTo(LINK);
    }
  }

  @Test
  void noLinkIsJsonNullAndNoSecretSendsNoSecretHeader() throws Exception {
    try (RecordingServer server = new RecordingServer(r -> Answer.of(200))) {
      var hook = new Subscription.Webhook(server.uri("/h"), Optional.empty(), "X-Cdr-Secret");
      Notification n =
          new Notification(
              "Crawl failed", "Bucket missing", "exec-1", "daily", "FAILED", Optional.empty());

      assertThat(publishOnce(hook, n).delivered()).isTrue();

      RecordingServer.Request r = server.requests().get(0);
      assertThat(r.header("X-Cdr-Secret")).isNull();
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.has("link")).isTrue();
      assertThat(body.get("link").isNull()).isTrue();
    }
  }

  @Test
  void retriesAfterServerErrorsUntilTheServerAnswers() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (RecordingServer server =
        new RecordingServer(r -> Answer.of(calls.incrementAndGet() <= 2 ? 500 : 200))) {
      Delivery d =
          publishOnce(
              new Subscription.Webhook(server.uri("/h"), Optional.empty(), "X-Cdr-Secret"),
              report());

      assertThat(d.delivered()).isTrue();
      assertThat(d.attempts()).isEqualTo(3);
      assertThat(d.error()).isEmpty();
      assertThat(server.requests()).hasSize(3);
    }
  }

  @Test
  void aServerThatAlwaysFailsIsReportedWithTheStatus() throws Exception {
    try (RecordingServer server =
        new RecordingServer(r -> new Answer(500, "text/plain", "database\n  is down"))) {
      Delivery d =
          publishOnce(
              new Subscription.Webhook(server.uri("/h"), Optional.empty(), "X-Cdr-Secret"),
              report());

      assertThat(d.delivered()).isFalse();
      assertThat(d.attempts()).isEqualTo(FAST.attempts());
      assertThat(d.error()).get(as(STRING)).contains("HTTP 500").contains("database is down");
      assertThat(server.requests()).hasSize(FAST.attempts());
    }
  }

  @Test
  void aClientErrorIsAFailureThatIsNotRetried() throws Exception {
    try (RecordingServer server = new RecordingServer(r -> Answer.of(404))) {
      Delivery d =
          publishOnce(
              new Subscription.Webhook(server.uri("/h"), Optional.empty(), "X-Cdr-Secret"),
              report());

      assertThat(d.delivered()).isFalse();
      assertThat(d.error()).get(as(STRING)).contains("HTTP 404");
      assertThat(d.attempts()).isEqualTo(1);
      assertThat(server.requests()).hasSize(1);
    }
  }

  @Test
  void tooManyRequestsAndTimeoutsAreRetriedLikeServerErrors() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (RecordingServer server =
        new RecordingServer(
            r ->
                Answer.of(
                    switch (calls.incrementAndGet()) {
                      case 1 -> 429;
                      case 2 -> 408;
                      default -> 204;
                    }))) {
      Delivery d =
          publishOnce(
              new Subscription.Webhook(server.uri("/h"), Optional.empty(), "X-Cdr-Secret"),
              report());

      assertThat(d.delivered()).isTrue();
      assertThat(d.attempts()).isEqualTo(3);
      assertThat(server.requests()).hasSize(3);
    }
  }

  @Test
  void describeShowsTheOriginButNotAPathThatMayHoldAToken() {
    var slack =
        new Subscription.Webhook(
            URI.create("https://hooks.slack.com/services/T0/B0/XXXXSECRET"),
            Optional.empty(),
            "X-Cdr-Secret");
    var plain =
        new Subscription.Webhook(
            URI.create("http://127.0.0.1:8080"), Optional.empty(), "X-Cdr-Secret");

    assertThat(Notifiers.create(slack).describe())
        .isEqualTo("webhook to https://hooks.slack.com/...");
    assertThat(Notifiers.create(plain).describe()).isEqualTo("webhook to http://127.0.0.1:8080/");
  }
}
