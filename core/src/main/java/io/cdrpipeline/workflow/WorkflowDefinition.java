package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A state machine: its steps in order, its total timeout, how an input is completed with
 * defaults and checked, the key that says two inputs are the same run, and the final output.
 */
public record WorkflowDefinition(
    String name,
    List<Step> steps,
    Duration timeout,
    UnaryOperator<ObjectNode> normalizeInput,
    Function<ObjectNode, String> inputKey,
    Function<ObjectNode, ObjectNode> output) {

  public WorkflowDefinition {
    steps = List.copyOf(steps);
  }
}
