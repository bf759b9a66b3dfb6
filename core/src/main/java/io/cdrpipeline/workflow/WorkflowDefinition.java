package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A state machine: its steps in order, its total timeout, how an input is completed with defaults
 * and checked, the key that says two inputs are the same run, the final output, and the notice a
 * failed execution sends (from the reason it failed).
 */
public record WorkflowDefinition(
    String name,
    List<Step> steps,
    Duration timeout,
    UnaryOperator<ObjectNode> normalizeInput,
    Function<ObjectNode, String> inputKey,
    Function<ObjectNode, ObjectNode> output,
    Function<String, Notice> failureNotice) {

  public WorkflowDefinition {
    steps = List.copyOf(steps);
    Objects.requireNonNull(failureNotice, "failureNotice is null");
  }

  /** The subject and text of a notification. */
  public record Notice(String subject, String message) {
    public Notice {
      Objects.requireNonNull(subject, "subject is null");
      Objects.requireNonNull(message, "message is null");
    }
  }
}
