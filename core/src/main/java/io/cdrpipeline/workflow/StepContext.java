package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * What a step sees: the execution's id, its input, the outputs of the steps before it, a way to
 * record events (such as a notification that could not be delivered), the claim a step makes before
 * it sends the execution's notification, and the checkpoint of a step that starts work outside this
 * process.
 */
public record StepContext(
    String executionId,
    String workflow,
    ObjectNode input,
    ObjectNode state,
    Events events,
    Notification notification,
    Checkpoint checkpoint) {

  /** Records an event on the execution. */
  @FunctionalInterface
  public interface Events {
    void record(ExecutionEvent.Type type, String detail);
  }

  /** The fence of the execution's one notification. */
  @FunctionalInterface
  public interface Notification {
    /**
     * True if this process may send the execution's notification now: it still owns the execution
     * and no owner claimed the notification before. Call it right before sending.
     */
    boolean claim();
  }

  /**
   * What a step that starts work outside this process (an application on a cluster, in another JVM)
   * records about it, so that the step run again (after a restart, by another process) finds that
   * work instead of starting it twice. Once a step saved a checkpoint, an attempt that is cancelled
   * (a timeout, a stop, the process handing the execution over) is waited for, a bounded time, so
   * that it can stop what it started, or leave it for the next process.
   */
  public interface Checkpoint {
    /** What this step saved last in this execution, in this process or in one before it. */
    Optional<ObjectNode> last();

    /**
     * Saves {@code value} with the execution (with a {@code STEP_PROGRESS} event saying {@code
     * detail}); false if this process no longer owns the execution.
     */
    boolean save(ObjectNode value, String detail);

    /**
     * True while the step is interrupted because its process hands the execution over (the service
     * stopping) or another process took it over: what the step started is left running, for that
     * process to find.
     */
    boolean handingOver();
  }
}
