package io.cdrpipeline.query;

/**
 * A result that would hold more text than the bound it was run with: DuckDB stopped the statement
 * before any of it reached this JVM.
 */
public final class ResultTooLargeException extends QueryException {
  private static final long serialVersionUID = 1L;
  private final long limitBytes;

  public ResultTooLargeException(long limitBytes, Throwable cause) {
    super("the result is more than " + limitBytes + " bytes of text", cause);
    this.limitBytes = limitBytes;
  }

  /** The bound the result passed, in bytes of text. */
  public long limitBytes() {
    return limitBytes;
  }
}
