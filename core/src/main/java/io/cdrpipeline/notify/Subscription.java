package io.cdrpipeline.notify;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A subscription of the topic, as configured under {@code notifications:}. */
public sealed interface Subscription
    permits Subscription.Email, Subscription.Webhook, Subscription.Sns, Subscription.Log {

  /** How the SMTP connection is protected. */
  enum Tls {
    NONE,
    STARTTLS,
    SSL
  }

  /** Mail through an SMTP server; user and password only when the server wants a login. */
  record Email(
      String host,
      int port,
      Tls tls,
      Optional<String> user,
      Optional<String> password,
      String from,
      List<String> to)
      implements Subscription {
    public Email {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(from, "from");
      to = List.copyOf(to);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
      }
      if (to.isEmpty()) {
        throw new IllegalArgumentException("to must name at least one address");
      }
    }

    @Override
    public String toString() {
      // records print every field; a subscription in a log must not print the password
      return "Email[host="
          + host
          + ", port="
          + port
          + ", tls="
          + tls
          + ", user="
          + user
          + ", password="
          + password.map(p -> "***")
          + ", from="
          + from
          + ", to="
          + to
          + "]";
    }
  }

  /** An HTTP POST of the notification as JSON; the secret, if any, goes in {@code header}. */
  record Webhook(URI url, Optional<String> secret, String header) implements Subscription {
    public Webhook {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(secret, "secret");
      Objects.requireNonNull(header, "header");
    }

    @Override
    public String toString() {
      return "Webhook[url="
          + url
          + ", secret="
          + secret.map(s -> "***")
          + ", header="
          + header
          + "]";
    }
  }

  /** An AWS SNS topic, or a topic on an SNS-compatible server at {@code endpoint}. */
  record Sns(String topicArn, String region, Optional<URI> endpoint) implements Subscription {
    public Sns {
      Objects.requireNonNull(topicArn, "topicArn");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(endpoint, "endpoint");
    }
  }

  /** The application log, at INFO. */
  record Log() implements Subscription {}
}
