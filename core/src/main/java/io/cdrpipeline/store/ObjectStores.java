package io.cdrpipeline.store;

/** Opens the store for a location. */
public final class ObjectStores {
  private ObjectStores() {}

  /** A store for the location; S3 locations need the S3 settings of the config. */
  public static ObjectStore open(StoreLocation location) {
    if (location instanceof StoreLocation.Local local) {
      return new LocalStore(local.root());
    }
    throw new UnsupportedOperationException("S3 locations are not supported yet: " + location.display());
  }
}
