package io.cdrpipeline.testing;

import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.store.StoredObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Wraps a real store and records every listing it is asked for. */
public final class CountingStore implements ObjectStore {
  private final ObjectStore inner;
  public final List<String> listings = new CopyOnWriteArrayList<>();

  /** Every object asked for, by {@code read}, {@code readObject} or {@code localPath}. */
  public final List<String> reads = new CopyOnWriteArrayList<>();

  public CountingStore(ObjectStore inner) {
    this.inner = inner;
  }

  @Override
  public StoreLocation location() {
    return inner.location();
  }

  @Override
  public void checkReadable() throws IOException {
    inner.checkReadable();
  }

  @Override
  public List<String> listFolders(String prefix) throws IOException {
    listings.add(prefix);
    return inner.listFolders(prefix);
  }

  @Override
  public void list(String prefix, Consumer<ObjectInfo> sink) throws IOException {
    listings.add(prefix);
    inner.list(prefix, sink);
  }

  @Override
  public void listKeys(String prefix, Consumer<String> sink) throws IOException {
    listings.add(prefix);
    inner.listKeys(prefix, sink);
  }

  @Override
  public boolean isFolder(String key) {
    return inner.isFolder(key);
  }

  @Override
  public byte[] read(String key) throws IOException {
    reads.add(key);
    return inner.read(key);
  }

  @Override
  public Optional<StoredObject> readObject(String key, long maxBytes) throws IOException {
    reads.add(key);
    return inner.readObject(key, maxBytes);
  }

  @Override
  public void put(String key, byte[] content) throws IOException {
    inner.put(key, content);
  }

  @Override
  public void delete(String key) throws IOException {
    inner.delete(key);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    return inner.stat(key);
  }

  @Override
  public Optional<Path> localPath(String key) {
    reads.add(key);
    return inner.localPath(key);
  }
}
