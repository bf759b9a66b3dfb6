package io.cdrpipeline.table;

import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.util.SerializableSupplier;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Iceberg's S3FileIO whose table metadata files are checked when read (see {@link MetadataFile}).
 */
final class CheckedS3FileIO extends S3FileIO {
  private static final long serialVersionUID = 1L;

  CheckedS3FileIO(SerializableSupplier<S3Client> client) {
    super(client);
  }

  @Override
  public InputFile newInputFile(String path) {
    return MetadataFile.checked(super.newInputFile(path));
  }

  /**
   * The file as stored, not checked even when it is table metadata (to move a damaged one aside).
   */
  InputFile rawInputFile(String path) {
    return super.newInputFile(path);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return MetadataFile.checked(super.newInputFile(path, length));
  }
}
