package io.cdrpipeline.workflow;

import java.time.Instant;
import java.util.Optional;

/** One transition of an execution, in order ({@code seq} from 1). */
public record ExecutionEvent(
    String executionId,
    int seq,
    Instant at,
    Type type,
    Optional<String> step,
    Optional<String> detail) {

  /** The kinds of transition. */
  public enum Type {
    EXECUTION_STARTED,
    EXECUTION_RESUMED,
    STEP_STARTED,
    STEP_SUCCEEDED,
    /**
     * A step saved a checkpoint of work it started outside the process (an application it
     * submitted).
     */
    STEP_PROGRESS,
    STEP_RETRIED,
    STEP_FAILED,
    NOTIFICATION_SENT,
    NOTIFICATION_FAILED,
    /**
     * The execution's notification was claimed before (by an owner that then stopped): not sent
     * twice.
     */
    NOTIFICATION_SKIPPED,
    EXECUTION_SUCCEEDED,
    EXECUTION_FAILED,
    EXECUTION_TIMED_OUT,
    EXECUTION_ABORTED,
    /** Its owner gave it up (the service stopping): the next process resumes it at once. */
    EXECUTION_HANDED_OVER
  }

  @Override
  public String toString() {
    return at
        + " "
        + type
        + step.map(s -> " " + s).orElse("")
        + detail.map(d -> ": " + d).orElse("");
  }
}
