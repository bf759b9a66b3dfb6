package io.cdrpipeline.notify;

/** Delivers notifications to one subscriber. */
public interface Notifier {

  /** Delivers one notification, once; the {@link Topic} retries. Any exception is a failure. */
  void send(Notification n) throws Exception;

  /** Who receives, for logs and delivery reports, e.g. "email to a@b.c, d@e.f"; never a secret. */
  String describe();
}
