package io.cdrpipeline.store;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Opens the store for a location. */
public final class ObjectStores {
  private ObjectStores() {}

  /**
   * A store for the location; S3 locations use the S3 settings. A folder that is a file, or S3
   * without credentials, fails here in one line (an {@link UncheckedIOException}), not at the first
   * read.
   */
  public static ObjectStore open(StoreLocation location, S3Settings s3) {
    if (location instanceof StoreLocation.Local local) {
      if (Files.exists(local.root()) && !Files.isDirectory(local.root())) {
        throw new UncheckedIOException(
            new FileSystemException(local.display(), null, "is a file, not a folder"));
      }
      return new LocalStore(local.root());
    }
    return new S3Store((StoreLocation.S3) location, s3, credentials(location.display()));
  }

  /**
   * A client for requests about the S3 account (list, create, delete buckets), with the stores'
   * settings; without credentials it fails in one line, as {@link #open} does.
   */
  public static software.amazon.awssdk.services.s3.S3Client accountClient(S3Settings s3) {
    return S3Store.accountClient(s3, credentials("S3"));
  }

  /** The default credential chain, checked to hold credentials now. */
  private static DefaultCredentialsProvider credentials(String what) {
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    try {
      credentials.resolveCredentials();
    } catch (SdkClientException e) {
      // the SDK's message lists every provider of its chain and why each failed: for the log only
      LoggerFactory.getLogger(ObjectStores.class).debug("no AWS credentials for {}", what, e);
      credentials.close();
      throw new UncheckedIOException(
          new AccessDeniedException(
              what,
              null,
              "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE),"
                  + " or run with an instance role"));
    }
    return credentials;
  }
}
