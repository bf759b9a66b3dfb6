package io.cdrpipeline.notify;

import static io.cdrpipeline.notify.Fixtures.FAST;
import static io.cdrpipeline.notify.Fixtures.LINK;
import static io.cdrpipeline.notify.Fixtures.report;
import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.notify.RecordingServer.Answer;
import io.cdrpipeline.notify.RecordingServer.Request;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Publishes through the real AWS SDK to a local server that speaks the SNS wire protocol. */
class SnsNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ARN = "arn:aws:sns:us-east-1:123456789012:cdr-reports";

  /** The SDK's JSON protocol names the action in a header; the Query protocol in the form body. */
  private static boolean isJson(Request r) {
    String type = r.header("Content-Type");
    return r.header("X-Amz-Target") != null
        || (type != null && type.startsWith("application/x-amz-json"));
  }

  /** The Publish parameters, whichever protocol the SDK chose; "Action" is Publish in both. */
  private static Map<String, String> publishParameters(Request r) throws Exception {
    Map<String, String> p = new HashMap<>();
    if (isJson(r)) {
      JSON.readTree(r.body()).properties().forEach(e -> p.put(e.getKey(), e.getValue().asText()));
      String target = r.header("X-Amz-Target");
      p.put("Action", target.substring(target.indexOf('.') + 1));
    } else {
      for (String pair : r.body().split("&")) {
        int eq = pair.indexOf('=');
        p.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return p;
  }

  private static Answer published(Request r) {
    if (isJson(r)) {
      return new Answer(200, "application/x-amz-json-1.0", "{\"MessageId\":\"abc\"}");
    }
    return new Answer(
        200,
        "text/xml",
        "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>abc</MessageId>"
            + "</PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>");
  }

  private static Answer internalError(Request r) {
    if (isJson(r)) {
      return new Answer(
          500,
          "application/x-amz-json-1.0",
          "{\"__type\":\"InternalError\",\"message\":\"topic store unavailable\"}");
    }
    return new Answer(
        500,
        "text/xml",
        "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Receiver</Type>"
            + "<Code>InternalError</Code><Message>topic store unavailable</Message></Error>"
            + "<RequestId>r</RequestId></ErrorResponse>");
  }

  private static Delivery publishOnce(Subscription.Sns sns, Notification n) {
    try (Topic topic = Topic.of(List.of(sns), FAST)) {
      List<Delivery> out = topic.publish(n);
      assertThat(out).hasSize(1);
      return out.get(0);
    }
  }

  @Test
  void publishesSubjectAndMessageWithTheLinkToTheTopic() throws Exception {
    try (RecordingServer server = new RecordingServer(SnsNotifierTest::published)) {
      var sns = new Subscription.Sns(ARN, "us-east-1", Optional.of(server.uri("")));

      Delivery d = publishOnce(sns, report());

      assertThat(d).isEqualTo(new Delivery("sns to " + ARN, true, 1, Optional.empty()));
      assertThat(server.requests()).hasSize(1);
      Request r = server.requests().get(0);
      System.out.println(
          "SNS protocol used by the SDK: "
              + (isJson(r)
                  ? "JSON (" + r.header("X-Amz-Target") + ")"
                  : "Query (" + r.header("Content-Type") + ")"));
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.header("Authorization"))
          .startsWith("AWS4-HMAC-SHA256 ")
          .contains("/us-east-1/sns/");
      Map<String, String> p = publishParameters(r);
      assertThat(p)
          .containsEntry("Action", "Publish")
          .containsEntry("TopicArn", ARN)
          .containsEntry("Subject", "Monthly CDR report ready")
          .containsEntry("Message", "The report for 2026-11 is ready.\n\n" + LINK)
          .doesNotContainKeys("MessageGroupId", "MessageDeduplicationId");
    }
  }

  @Test
  void fifoTopicsGetAGroupAndADeduplicationId() throws Exception {
    try (RecordingServer server = new RecordingServer(SnsNotifierTest::published)) {
      String fifo = "arn:aws:sns:eu-west-1:123456789012:cdr-reports.fifo";
      var sns = new Subscription.Sns(fifo, "eu-west-1", Optional.of(server.uri("")));

      assertThat(publishOnce(sns, report()).delivered()).isTrue();

      Map<String, String> p = publishParameters(server.requests().get(0));
      assertThat(p).containsEntry("TopicArn", fifo).containsEntry("MessageGroupId", "report");
      assertThat(p.get("MessageDeduplicationId")).matches("[0-9a-f]{64}");
    }
  }

  @Test
  void aServerErrorIsRetriedByTheTopicOnlyNotAlsoByTheSdk() throws Exception {
    try (RecordingServer server = new RecordingServer(SnsNotifierTest::internalError)) {
      var sns = new Subscription.Sns(ARN, "us-east-1", Optional.of(server.uri("")));

      Delivery d = publishOnce(sns, report());

      assertThat(d.delivered()).isFalse();
      assertThat(d.attempts()).isEqualTo(FAST.attempts());
      assertThat(d.error()).get(as(STRING)).contains("topic store unavailable");
      assertThat(server.requests()).hasSize(FAST.attempts());
    }
  }

  @Test
  void aRefusalIsNotRetriedAndThrottlingIs() throws Exception {
    Answer refused =
        new Answer(
            403,
            "text/xml",
            "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"
                + "<Code>AuthorizationError</Code><Message>not authorized to publish</Message></Error>"
                + "<RequestId>r</RequestId></ErrorResponse>");
    Answer refusedJson =
        new Answer(
            403,
            "application/x-amz-json-1.0",
            "{\"__type\":\"AuthorizationError\",\"message\":\"not authorized to publish\"}");
    try (RecordingServer server = new RecordingServer(r -> isJson(r) ? refusedJson : refused)) {
      Delivery d =
          publishOnce(
              new Subscription.Sns(ARN, "us-east-1", Optional.of(server.uri(""))), report());

      assertThat(d.delivered()).isFalse();
      assertThat(d.attempts()).isEqualTo(1);
      assertThat(d.error()).get(as(STRING)).contains("not authorized");
      assertThat(server.requests()).hasSize(1);
    }
    AtomicInteger calls = new AtomicInteger();
    Answer throttled =
        new Answer(
            400,
            "text/xml",
            "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"
                + "<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>");
    Answer throttledJson =
        new Answer(
            400,
            "application/x-amz-json-1.0",
            "{\"__type\":\"Throttling\",\"message\":\"Rate exceeded\"}");
    try (RecordingServer server =
        new RecordingServer(
            r ->
                calls.incrementAndGet() == 1
                    ? (isJson(r) ? throttledJson : throttled)
                    : published(r))) {
      Delivery d =
          publishOnce(
              new Subscription.Sns(ARN, "us-east-1", Optional.of(server.uri(""))), report());

      assertThat(d.delivered()).isTrue();
      assertThat(d.attempts()).isEqualTo(2);
      assertThat(server.requests()).hasSize(2);
    }
  }

  @Test
  void subjectIsPrintableAsciiOnOneLineAndShortEnough() {
    assertThat(SnsNotifier.subject("Rapport prêt\n\tpour  novembre ✓"))
        .isEqualTo("Rapport pret pour novembre ?");
    assertThat(SnsNotifier.subject("  leading spaces")).isEqualTo("leading spaces");
    assertThat(SnsNotifier.subject(" \n ")).isEmpty();
    String longSubject = SnsNotifier.subject("x".repeat(300));
    assertThat(longSubject).hasSize(SnsNotifier.MAX_SUBJECT).endsWith("...");
    assertThat(SnsNotifier.subject("y".repeat(SnsNotifier.MAX_SUBJECT)))
        .isEqualTo("y".repeat(SnsNotifier.MAX_SUBJECT));
  }

  @Test
  void dummyCredentialsOnlyForANonAwsEndpointWhenNoneAreConfigured() {
    Optional<URI> local = Optional.of(URI.create("http://localhost:4566"));
    Properties none = new Properties();
    Properties sysKey = new Properties();
    sysKey.setProperty("aws.accessKeyId", "AKIA");

    assertThat(SnsNotifier.useTestCredentials(local, Map.of(), none)).isTrue();
    assertThat(SnsNotifier.useTestCredentials(Optional.empty(), Map.of(), none)).isFalse();
    assertThat(SnsNotifier.useTestCredentials(local, Map.of("AWS_ACCESS_KEY_ID", "AKIA"), none))
        .isFalse();
    assertThat(SnsNotifier.useTestCredentials(local, Map.of("AWS_PROFILE", "dev"), none)).isFalse();
    assertThat(SnsNotifier.useTestCredentials(local, Map.of(), sysKey)).isFalse();
    // a VPC endpoint on EC2 may rely on the instance role, which no variable reveals
    Optional<URI> vpc =
        Optional.of(URI.create("https://vpce-0abc.sns.us-east-1.vpce.amazonaws.com"));
    assertThat(SnsNotifier.useTestCredentials(vpc, Map.of(), none)).isFalse();
  }
}
