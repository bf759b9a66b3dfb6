package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a step sees: the execution's id, its input, the outputs of the steps before it, and a
 * way to record events (such as a notification that could not be delivered).
 */
public record StepContext(String executionId, String workflow, ObjectNode input, ObjectNode state, Events events) {

  /** Records an event on the execution. */
  @FunctionalInterface
  public interface Events {
    void record(ExecutionEvent.Type type, String detail);
  }
}
