package io.cdrpipeline.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes notifications to the application log at INFO. */
final class LogNotifier implements Notifier {
  private static final Logger LOG = LoggerFactory.getLogger(LogNotifier.class);

  @Override
  public void send(Notification n) {
    LOG.info("{}: {} [{}]", n.subject(), n.messageWithLink(), n.executionLine());
  }

  @Override
  public String describe() {
    return "log";
  }
}
