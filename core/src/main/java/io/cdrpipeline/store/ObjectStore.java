package io.cdrpipeline.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A bucket of objects addressed by '/'-separated keys: a local folder or S3. Readers see an object
 * whole or not at all; there is no rename, so atomic replacement of many objects is done above this
 * interface (see the ETL's day commit).
 */
public interface ObjectStore extends AutoCloseable {

  /** Where the store lives. */
  StoreLocation location();

  /** Fails with a clear message when the store's root does not exist or cannot be read. */
  void checkReadable() throws IOException;

  /** Names of the folders directly under a folder prefix ("" for the root), sorted. */
  List<String> listFolders(String prefix) throws IOException;

  /** Streams every object under a folder prefix, at any depth, to the sink; no order promised. */
  void list(String prefix, Consumer<ObjectInfo> sink) throws IOException;

  /**
   * Streams the keys under a folder prefix as cheaply as the store can (a local folder skips the
   * per-file metadata). A key may name a sub-folder; {@link #readObject} then returns empty and
   * {@link #isFolder} says so.
   */
  default void listKeys(String prefix, Consumer<String> sink) throws IOException {
    list(prefix, o -> sink.accept(o.key()));
  }

  /** True if the key names a folder rather than an object (local folders only). */
  default boolean isFolder(String key) {
    return false;
  }

  /** The whole content of an object. */
  byte[] read(String key) throws IOException;

  /** The content and metadata of an object, or empty if there is no such object. */
  default Optional<StoredObject> readObject(String key) throws IOException {
    return readObject(key, Integer.MAX_VALUE - 8);
  }

  /**
   * The content and metadata of an object of at most {@code maxBytes}, or empty if there is no such
   * object; a larger object is not read (an {@link UnreadableObjectException} says so, as for an
   * object that is not a file or not permitted).
   */
  Optional<StoredObject> readObject(String key, long maxBytes) throws IOException;

  /** Stores bytes under a key. */
  void put(String key, byte[] content) throws IOException;

  /** Deletes an object; deleting a missing object is not an error. */
  void delete(String key) throws IOException;

  /** The object's metadata, or empty if there is no such object. */
  Optional<ObjectInfo> stat(String key) throws IOException;

  /**
   * How many parallel readers to use when {@code requested} are asked for: no more than the cores
   * for a local folder (reading it is CPU work); for a network store its own setting of requests in
   * flight (reading it is mostly waiting).
   */
  default int readers(int requested) {
    return requested;
  }

  /** The local file behind a key, when the store is a local folder. */
  default Optional<Path> localPath(String key) {
    return Optional.empty();
  }

  /** Every object under a prefix, collected; for small listings only. */
  default List<ObjectInfo> listAll(String prefix) throws IOException {
    List<ObjectInfo> all = new ArrayList<>();
    list(prefix, all::add);
    return all;
  }

  @Override
  default void close() {}
}
