package io.cdrpipeline.workflow;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Which failures of a step the executor retries: the one place that knows the drivers' and SDK's
 * signals.
 */
final class TransientErrors {
  private TransientErrors() {}

  /**
   * An error this layer retries: contention or a lost connection of the catalog database (from the
   * driver's SQLState and SQLite's result code) or other I/O trouble. An S3 error (an {@link
   * SdkException} in the chain) has had its retries in the SDK, which decided from its own signals;
   * retrying the step as well would multiply them. A missing or unreadable bucket or bad input is
   * not transient at all. Never decided from message text.
   */
  static boolean isTransient(Throwable t) {
    boolean io = false;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StepFailure
          || c instanceof IllegalArgumentException
          || c instanceof SdkException) {
        return false;
      }
      if (c instanceof NoSuchFileException
          || c instanceof AccessDeniedException
          || c instanceof FileNotFoundException) {
        return false;
      }
      if (c instanceof SQLException sql) {
        return isTransient(sql);
      }
      io |= c instanceof IOException;
    }
    return io;
  }

  private static boolean isTransient(SQLException e) {
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
      return true;
    }
    if (e instanceof SQLiteException s) {
      int primary =
          s.getResultCode().code & 0xff; // extended codes keep the primary one in the low byte
      return primary == SQLiteErrorCode.SQLITE_BUSY.code
          || primary == SQLiteErrorCode.SQLITE_LOCKED.code;
    }
    String state = e.getSQLState();
    // connection exception, transaction rollback (serialization failure, deadlock), insufficient
    // resources, operator intervention (a server shutting down)
    return state != null
        && (state.startsWith("08")
            || state.startsWith("40")
            || state.startsWith("53")
            || state.startsWith("57P"));
  }
}
