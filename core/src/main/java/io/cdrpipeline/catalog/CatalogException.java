package io.cdrpipeline.catalog;

/** The catalog database could not be opened, read or written. */
public final class CatalogException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
