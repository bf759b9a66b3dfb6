package io.cdrpipeline.etl;

/** An ETL run failed; the previous state of every day it touched is intact. */
public sealed class EtlException extends RuntimeException permits DayRefusedException {
  private static final long serialVersionUID = 1L;

  public EtlException(String message, Throwable cause) {
    super(message, cause);
  }
}
