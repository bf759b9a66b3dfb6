package io.cdrpipeline.store;

/** Opens the store for a location. */
public final class ObjectStores {
  private ObjectStores() {}

  /** A store for the location; S3 locations use the S3 settings. */
  public static ObjectStore open(StoreLocation location, S3Settings s3) {
    if (location instanceof StoreLocation.Local local) {
      return new LocalStore(local.root());
    }
    return new S3Store((StoreLocation.S3) location, s3);
  }
}
