package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a step sees: the execution's id, its input, the outputs of the steps before it, a way
 * to record events (such as a notification that could not be delivered), and the claim a
 * step makes before it sends the execution's notification.
 */
public record StepContext(String executionId, String workflow, ObjectNode input, ObjectNode state, Events events,
    Notification notification) {

  /** Records an event on the execution. */
  @FunctionalInterface
  public interface Events {
    void record(ExecutionEvent.Type type, String detail);
  }

  /** The fence of the execution's one notification. */
  @FunctionalInterface
  public interface Notification {
    /**
     * True if this process may send the execution's notification now: it still owns the
     * execution and no owner claimed the notification before. Call it right before sending.
     */
    boolean claim();
  }
}
