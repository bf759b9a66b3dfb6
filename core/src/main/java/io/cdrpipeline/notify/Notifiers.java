package io.cdrpipeline.notify;

import java.util.Objects;

/** Makes the notifier for a subscription. */
public final class Notifiers {
  private Notifiers() {}

  /**
   * The notifier that delivers to this subscription; an SNS one holds an SDK client until closed.
   */
  public static Notifier create(Subscription s) {
    Objects.requireNonNull(s, "subscription");
    if (s instanceof Subscription.Email e) {
      return new EmailNotifier(e);
    } else if (s instanceof Subscription.Webhook w) {
      return new WebhookNotifier(w);
    } else if (s instanceof Subscription.Sns sns) {
      return new SnsNotifier(sns);
    } else if (s instanceof Subscription.Log) {
      return new LogNotifier();
    }
    throw new AssertionError("a Subscription that is not permitted: " + s.getClass().getName());
  }
}
