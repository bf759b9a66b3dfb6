package io.cdrpipeline.notify;

import java.util.Objects;
import java.util.Optional;

/** A message for every subscriber of the topic. */
public record Notification(
    String subject,
    String message,
    String executionId,
    String workflow,
    String status,
    Optional<String> link) {
  public Notification {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(workflow, "workflow");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(link, "link");
  }

  /** The message, then a blank line and the link when there is one. */
  String messageWithLink() {
    return link.map(l -> message + "\n\n" + l).orElse(message);
  }

  /** The line that ties a notification to its execution, e.g. "Execution: e-1 (daily, FAILED)". */
  String executionLine() {
    return "Execution: " + executionId + " (" + workflow + ", " + status + ")";
  }
}
