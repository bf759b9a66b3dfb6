package io.cdrpipeline.model;

/**
 * The limits on raw CDR input ("Limits" in docs/querying.md). A file beyond them is quarantined
 * with the reason and the rest of its day lands; the parser and the staging of rows are configured
 * from the same numbers, so no file within them can fail a day.
 */
public final class InputLimits {
  /**
   * The largest CDR file read: 1 MiB, a thousand times a real record. A larger file is not read
   * into memory at all, so a day never needs more than this per reader; it also bounds every field
   * value and every staged row.
   */
  public static final int MAX_FILE_BYTES = 1 << 20;

  /**
   * The most unknown (not documented) fields of one file, and the most distinct unknown fields one
   * day adds to the tables: each becomes a column, and every column widens every row the day sorts
   * and writes.
   */
  public static final int MAX_UNKNOWN_FIELDS = 100;

  /** The longest field name, in characters: the catalog keeps a field's name as it was written. */
  public static final int MAX_FIELD_NAME_LENGTH = 255;

  /**
   * The longest column name made from a field name (before a {@code field_} prefix or a suffix).
   */
  public static final int MAX_COLUMN_NAME_LENGTH = 128;

  private InputLimits() {}
}
