package io.cdrpipeline.workflow;

/** A step failed in a way a retry cannot fix (bad input, a missing bucket). */
public final class StepFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public StepFailure(String message) {
    super(message);
  }

  public StepFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
