package io.cdrpipeline.workflow;

/** Where an execution stands; every status but RUNNING is final. */
public enum ExecutionStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  ABORTED;

  public boolean isFinal() {
    return this != RUNNING;
  }
}
