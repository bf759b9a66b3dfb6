package io.cdrpipeline.notify;

import java.io.IOException;

/** Delivers notifications to one subscriber. */
public interface Notifier {

  /** Delivers one notification, once; the {@link Topic} retries. Any exception is a failure. */
  void send(Notification n) throws Exception;

  /**
   * True if a failure of {@link #send} may pass when tried again: the {@link Topic} retries only
   * those. Decided from the protocol's own signals (status codes, the SDK's), never from message
   * text; by default an I/O error is transient, anything else (a refusal, a bug) is not.
   */
  default boolean isTransient(Exception e) {
    return e instanceof IOException;
  }

  /** Who receives, for logs and delivery reports, e.g. "email to a@b.c, d@e.f"; never a secret. */
  String describe();
}
