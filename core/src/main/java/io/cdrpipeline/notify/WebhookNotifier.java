package io.cdrpipeline.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** POSTs the notification as a JSON object to a URL. */
final class WebhookNotifier implements Notifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_BODY_IN_ERROR = 200;

  private final Subscription.Webhook webhook;
  private final HttpClient client;

  WebhookNotifier(Subscription.Webhook webhook) {
    this.webhook = webhook;
    // HTTP/1.1: for http:// URLs the default would send an h2c upgrade with the POST, which
    // some webhook servers mishandle; a notification gains nothing from HTTP/2
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
  }

  @Override
  public void send(Notification n) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(webhook.url())
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body(n)));
    webhook.secret().ifPresent(s -> request.header(webhook.header(), s));
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw new StatusException(
          status, "HTTP " + status + " from " + describe() + excerpt(response.body()));
    }
  }

  /**
   * Server errors, a timeout (408) and too many requests (429) pass with time; other refusals do
   * not.
   */
  @Override
  public boolean isTransient(Exception e) {
    if (e instanceof StatusException s) {
      return s.status >= 500 || s.status == 408 || s.status == 429;
    }
    return e instanceof IOException; // no answer at all: connection refused or reset, timed out
  }

  /** A webhook answered with a status that is not a success. */
  private static final class StatusException extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;

    StatusException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  static byte[] body(Notification n) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("subject", n.subject());
    o.put("message", n.message());
    o.put("executionId", n.executionId());
    o.put("workflow", n.workflow());
    o.put("status", n.status());
    o.put("link", n.link().orElse(null));
    return JSON.writeValueAsBytes(o);
  }

  /** The start of an error answer, on one line, since servers often say there what was wrong. */
  private static String excerpt(String body) {
    String oneLine = body == null ? "" : body.strip().replaceAll("\\s+", " ");
    if (oneLine.isEmpty()) {
      return "";
    }
    return ": "
        + (oneLine.length() > MAX_BODY_IN_ERROR
            ? oneLine.substring(0, MAX_BODY_IN_ERROR) + "..."
            : oneLine);
  }

  @Override
  public String describe() {
    // only the origin: the path and query of a webhook URL often carry its token (Slack,
    // Teams), and this text goes into logs and delivery reports
    URI u = webhook.url();
    String origin =
        u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    boolean more =
        (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
            || u.getRawQuery() != null;
    return "webhook to " + origin + (more ? "/..." : "/");
  }
}
