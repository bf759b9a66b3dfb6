package io.cdrpipeline.notify;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.SnsClientBuilder;
import software.amazon.awssdk.services.sns.model.PublishRequest;

/** Publishes to an AWS SNS topic, or to one on an SNS-compatible server. */
final class SnsNotifier implements Notifier, AutoCloseable {
  /** SNS wants a subject "less than 100 characters long". */
  static final int MAX_SUBJECT = 99;

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Subscription.Sns sns;
  private final SnsClient client;

  SnsNotifier(Subscription.Sns sns) {
    this.sns = sns;
    SnsClientBuilder b =
        SnsClient.builder()
            .region(Region.of(sns.region()))
            // the Topic retries with its own backoff; SDK retries inside would multiply the
            // attempts
            .overrideConfiguration(
                o ->
                    o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(TIMEOUT)
                        .apiCallAttemptTimeout(TIMEOUT));
    sns.endpoint().ifPresent(b::endpointOverride);
    if (useTestCredentials(sns.endpoint(), System.getenv(), System.getProperties())) {
      b.credentialsProvider(
          StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
    }
    this.client = b.build();
  }

  /**
   * True when a local SNS-compatible server should get dummy credentials: an endpoint is set, it is
   * not an AWS one (a VPC endpoint may rely on an instance role we cannot see from here), and
   * neither the environment nor system properties name credentials or a profile.
   */
  static boolean useTestCredentials(
      Optional<URI> endpoint, Map<String, String> env, Properties sys) {
    if (endpoint.isEmpty()) {
      return false;
    }
    String host = endpoint.get().getHost().toLowerCase(Locale.ROOT);
    if (host.endsWith(".amazonaws.com")
        || host.endsWith(".amazonaws.com.cn")
        || host.endsWith(".api.aws")) {
      return false;
    }
    boolean named =
        env.containsKey("AWS_ACCESS_KEY_ID")
            || env.containsKey("AWS_PROFILE")
            || env.containsKey("AWS_WEB_IDENTITY_TOKEN_FILE")
            || sys.containsKey("aws.accessKeyId")
            || sys.containsKey("aws.profile");
    return !named;
  }

  @Override
  public void send(Notification n) {
    PublishRequest.Builder r =
        PublishRequest.builder().topicArn(sns.topicArn()).message(n.messageWithLink());
    String subject = subject(n.subject());
    if (!subject.isEmpty()) {
      r.subject(subject);
    }
    if (sns.topicArn().endsWith(".fifo")) {
      // FIFO topics refuse a publish without these; the id makes our own retries idempotent
      r.messageGroupId(n.workflow().isBlank() ? "cdr-pipeline" : n.workflow())
          .messageDeduplicationId(sha256(n.executionId() + "\n" + n.status() + "\n" + n.subject()));
    }
    client.publish(r.build());
  }

  /**
   * The subject as SNS accepts it: printable ASCII (accents dropped, other characters as '?'),
   * whitespace collapsed, not starting with a space, shortened with "..." to fit.
   */
  static String subject(String s) {
    String plain = Normalizer.normalize(s, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
    StringBuilder b = new StringBuilder();
    plain
        .codePoints()
        .forEach(
            c -> {
              if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                if (b.length() > 0 && b.charAt(b.length() - 1) != ' ') {
                  b.append(' ');
                }
              } else {
                b.append(c >= 0x21 && c <= 0x7e ? (char) c : '?');
              }
            });
    String out = b.toString().strip();
    return out.length() <= MAX_SUBJECT
        ? out
        : out.substring(0, MAX_SUBJECT - 3).stripTrailing() + "...";
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /**
   * What the SDK itself would retry: an exception it marks retryable, throttling (429 or a
   * throttling error code), a server error (5xx), or a client failure caused by I/O; not a refusal
   * such as a wrong topic or missing permission.
   */
  @Override
  public boolean isTransient(Exception e) {
    if (e instanceof SdkServiceException s) {
      return s.retryable() || s.isThrottlingException() || s.statusCode() >= 500;
    }
    if (e instanceof SdkClientException c) {
      if (c.retryable()) {
        return true;
      }
      for (Throwable t = c.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
        if (t instanceof IOException) {
          return true;
        }
      }
      return false;
    }
    return e instanceof IOException;
  }

  @Override
  public String describe() {
    return "sns to " + sns.topicArn();
  }

  @Override
  public void close() {
    client.close();
  }
}
