package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Objects;

/** A named, idempotent step of a workflow with its own timeout. */
public record Step(String name, Duration timeout, Action action) {
  public Step {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(action, "action");
  }

  /** What a step does; may run again after a crash, so it must be safe to repeat. */
  @FunctionalInterface
  public interface Action {
    /**
     * Runs the step and returns its output, kept in the execution's state under the step's name.
     */
    ObjectNode run(StepContext context) throws Exception;
  }
}
