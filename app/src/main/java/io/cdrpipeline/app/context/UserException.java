package io.cdrpipeline.app.context;

/** A mistake of the user that is not a picocli option error: one line, exit code 2. */
public final class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message);
  }
}
