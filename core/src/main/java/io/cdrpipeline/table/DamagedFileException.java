package io.cdrpipeline.table;

import org.apache.iceberg.exceptions.NotFoundException;

/**
 * A file of the table that is there but cannot be read as what it is (a metadata file cut short or
 * edited). It is a {@link NotFoundException} because that is what Iceberg's readers stop retrying
 * on ({@code BaseMetastoreTableOperations.refreshFromMetadataLocation}): reading a damaged file
 * again only repeats the failure, for minutes.
 */
final class DamagedFileException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  DamagedFileException(String location, String reason, Throwable cause) {
    super(cause, "%s", "cannot read " + location + ": it is damaged (" + reason + ")");
  }
}
