package io.cdrpipeline.notify;

import static io.cdrpipeline.notify.Fixtures.FAST;
import static io.cdrpipeline.notify.Fixtures.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.notify.RecordingServer.Answer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TopicTest {

  /** A subscriber in this process: fails its first {@code failures} sends, then succeeds. */
  private static final class Flaky implements Notifier {
    final String name;
    final int failures;
    final AtomicInteger sends = new AtomicInteger();

    Flaky(String name, int failures) {
      this.name = name;
      this.failures = failures;
    }

    @Override
    public void send(Notification n) throws IOException {
      if (sends.incrementAndGet() <= failures) {
        throw new IOException(name + " is down");
      }
    }

    @Override
    public String describe() {
      return name;
    }
  }

  @Test
  void oneFailingSubscriberDoesNotStopTheOthers() throws Exception {
    try (RecordingServer up = new RecordingServer(r -> Answer.of(200))) {
      URI nobody = URI.create("http://127.0.0.1:" + Fixtures.closedPort() + "/h");
      var down = new Subscription.Webhook(nobody, Optional.empty(), "X-Cdr-Secret");
      var working = new Subscription.Webhook(up.uri("/h"), Optional.empty(), "X-Cdr-Secret");

      List<Delivery> out =
          Topic.of(List.of(down, working, new Subscription.Log()), FAST).publish(report());

      assertThat(out).hasSize(3);
      assertThat(out.get(0).delivered()).isFalse();
      assertThat(out.get(0).attempts()).isEqualTo(FAST.attempts());
      assertThat(out.get(0).error()).isPresent();
      assertThat(out.get(1))
          .isEqualTo(new Delivery(out.get(1).subscriber(), true, 1, Optional.empty()));
      assertThat(out.get(2)).isEqualTo(new Delivery("log", true, 1, Optional.empty()));
      assertThat(up.requests()).hasSize(1);
    }
  }

  @Test
  void aBugInANotifierIsAFailedDeliveryNotAnException() {
    Notifier broken =
        new Notifier() {
          @Override
          public void send(Notification n) {
            throw new IllegalStateException("no template for status SUCCEEDED");
          }

          @Override
          public String describe() {
            return "broken";
          }
        };
    Notifier fatal =
        new Notifier() {
          @Override
          public void send(Notification n) {
            throw new AssertionError("fatal");
          }

          @Override
          public String describe() {
            return "fatal";
          }
        };
    Flaky fine = new Flaky("fine", 0);

    List<Delivery> out = new Topic(List.of(broken, fatal, fine), FAST).publish(report());

    // a bug is not transient: retrying it would only repeat it
    assertThat(out)
        .containsExactly(
            new Delivery("broken", false, 1, Optional.of("no template for status SUCCEEDED")),
            new Delivery("fatal", false, 1, Optional.of("fatal")),
            new Delivery("fine", true, 1, Optional.empty()));
  }

  @Test
  void onlyFailuresTheNotifierCallsTransientAreRetried() {
    AtomicInteger sends = new AtomicInteger();
    Notifier refusing =
        new Notifier() {
          @Override
          public void send(Notification n) throws IOException {
            sends.incrementAndGet();
            throw new IOException(
                "HTTP 503 temporarily unavailable"); // the text says transient; the notifier says
            // not
          }

          @Override
          public boolean isTransient(Exception e) {
            return false;
          }

          @Override
          public String describe() {
            return "refusing";
          }
        };
    List<Duration> waits = new ArrayList<>();

    List<Delivery> out = new Topic(List.of(refusing), FAST, waits::add).publish(report());

    assertThat(out)
        .containsExactly(
            new Delivery("refusing", false, 1, Optional.of("HTTP 503 temporarily unavailable")));
    assertThat(sends).hasValue(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void subscribersAreServedInParallel() {
    // the first subscriber can only finish once the second has delivered: served one after the
    // other, the first would wait for the second forever (here: until the latch times out)
    CountDownLatch secondDelivered = new CountDownLatch(1);
    Notifier waiting =
        new Notifier() {
          @Override
          public void send(Notification n) throws Exception {
            if (!secondDelivered.await(10, TimeUnit.SECONDS)) {
              throw new IOException("the second subscriber was not served meanwhile");
            }
          }

          @Override
          public String describe() {
            return "waiting";
          }
        };
    Notifier second =
        new Notifier() {
          @Override
          public void send(Notification n) {
            secondDelivered.countDown();
          }

          @Override
          public String describe() {
            return "second";
          }
        };

    List<Delivery> out =
        new Topic(List.of(waiting, second), new RetryPolicy(1, Duration.ZERO, Duration.ZERO))
            .publish(report());

    assertThat(out).extracting(Delivery::delivered).containsExactly(true, true);
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    List<Duration> waits = new ArrayList<>();
    Flaky down = new Flaky("down", Integer.MAX_VALUE);
    RetryPolicy policy = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(500));

    List<Delivery> out = new Topic(List.of(down), policy, waits::add).publish(report());

    assertThat(out).containsExactly(new Delivery("down", false, 6, Optional.of("down is down")));
    assertThat(waits).extracting(Duration::toMillis).containsExactly(100L, 200L, 400L, 500L, 500L);
    assertThat(down.sends).hasValue(6);
  }

  @Test
  void noWaitAfterSuccessNorAfterTheLastAttempt() {
    List<Duration> waits = new ArrayList<>();
    RetryPolicy policy = new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30));

    List<Delivery> out =
        new Topic(List.of(new Flaky("flaky", 2)), policy, waits::add).publish(report());

    assertThat(out).containsExactly(new Delivery("flaky", true, 3, Optional.empty()));
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void retryPolicyDelays() {
    RetryPolicy d = RetryPolicy.defaults();
    assertThat(d).isEqualTo(new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30)));
    assertThat(List.of(1, 2, 3, 4, 5, 6, 7))
        .extracting(d::backoffAfter)
        .extracting(Duration::toSeconds)
        .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
    assertThat(d.backoffAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
    RetryPolicy huge = new RetryPolicy(2, Duration.ofNanos(1), Duration.ofSeconds(Long.MAX_VALUE));
    assertThat(huge.backoffAfter(200)).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
    assertThat(new RetryPolicy(3, Duration.ZERO, Duration.ZERO).backoffAfter(3)).isZero();
  }

  @Test
  void retryPolicyRejectsNonsenseNamingTheValue() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .hasMessage("attempts must be at least 1, got 0");
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(-1), Duration.ZERO))
        .hasMessage("initialBackoff must not be negative, got PT-1S");
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("maxBackoff must be at least initialBackoff (PT2S), got PT1S");
  }

  @Test
  void anInterruptStopsTheRetriesInsteadOfSleeping() {
    Flaky down = new Flaky("down", Integer.MAX_VALUE);
    RetryPolicy slow = new RetryPolicy(5, Duration.ofHours(1), Duration.ofHours(1));
    Thread.currentThread().interrupt();
    try {
      List<Delivery> out = new Topic(List.of(down), slow).publish(report());

      assertThat(out)
          .containsExactly(
              new Delivery(
                  "down", false, 1, Optional.of("down is down (retries stopped: interrupted)")));
      assertThat(Thread.currentThread().isInterrupted())
          .as("interrupt kept for the caller")
          .isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void noSubscribersNoDeliveries() {
    Topic topic = Topic.of(List.of(), RetryPolicy.defaults());
    assertThat(topic.isEmpty()).isTrue();
    assertThat(topic.publish(report())).isEmpty();
    assertThat(Topic.of(List.of(new Subscription.Log()), RetryPolicy.defaults()).isEmpty())
        .isFalse();
  }

  @Test
  void failureTextIsOneLineWithTheRootCause() {
    Exception e =
        new IOException(
            "Couldn't connect to host\n  port 25", new ConnectException("Connection refused"));
    assertThat(Topic.describe(e))
        .isEqualTo("Couldn't connect to host port 25 (ConnectException: Connection refused)");
    assertThat(
            Topic.describe(
                new IOException(
                    "failed: Connection refused", new ConnectException("Connection refused"))))
        .isEqualTo("failed: Connection refused");
    assertThat(Topic.describe(new NullPointerException())).isEqualTo("NullPointerException");
  }
}
