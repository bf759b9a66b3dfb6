package io.cdrpipeline.table;

import io.cdrpipeline.failure.FailureText;
import org.apache.iceberg.exceptions.NotFoundException;

/** How a failure of the table is told in one line. */
final class TableErrors {
  private TableErrors() {}

  /**
   * A file the table's metadata names is missing or cannot be read: one line for the user, and the
   * way back.
   */
  static TableException damaged(NotFoundException e) {
    return new TableException(
        "the processed table is damaged: "
            + FailureText.firstLine(e.getMessage())
            + " ('cdr table repair' rolls the table back to its newest readable state)",
        e);
  }

  /**
   * Why a commit failed, in one line: the write that failed when one did (it names the file and the
   * free space).
   */
  static String commitFailure(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof WriteFailure.Described) {
        return c.getMessage();
      }
    }
    return FailureText.withRootCause(e);
  }
}
