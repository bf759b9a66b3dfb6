package io.cdrpipeline.table;

/**
 * The processed table cannot be opened, read or written as asked; the message is one line for the
 * user.
 */
public final class TableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TableException(String message, Throwable cause) {
    super(message, cause);
  }
}
