package io.cdrpipeline.query;

/** A query the user wrote cannot run: bad SQL, an unknown table, a forbidden statement. */
public class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QueryException(String message, Throwable cause) {
    super(message, cause);
  }
}
