package io.cdrpipeline.workflow;

import java.time.Instant;
import java.util.Optional;

/** One transition of an execution, in order ({@code seq} from 1). */
public record ExecutionEvent(String executionId, int seq, Instant at, Type type, Optional<String> step,
    Optional<String> detail) {

  /** The kinds of transition. */
  public enum Type {
    EXECUTION_STARTED,
    EXECUTION_RESUMED,
    STEP_STARTED,
    STEP_SUCCEEDED,
    STEP_RETRIED,
    STEP_FAILED,
    NOTIFICATION_SENT,
    NOTIFICATION_FAILED,
    EXECUTION_SUCCEEDED,
    EXECUTION_FAILED,
    EXECUTION_TIMED_OUT,
    EXECUTION_ABORTED
  }

  @Override
  public String toString() {
    return at + " " + type + step.map(s -> " " + s).orElse("") + detail.map(d -> ": " + d).orElse("");
  }
}
