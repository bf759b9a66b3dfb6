package io.cdrpipeline.workflow;

/** A workflow with the same input is already running; names the execution that is. */
public final class AlreadyRunningException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String executionId;

  public AlreadyRunningException(String inputKey, String executionId) {
    super(
        inputKey
            + " is already running as execution "
            + executionId
            + " (follow it with 'cdr executions show "
            + executionId
            + "')");
    this.executionId = executionId;
  }

  public String executionId() {
    return executionId;
  }
}
