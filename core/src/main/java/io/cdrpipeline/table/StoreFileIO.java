package io.cdrpipeline.table;

import io.cdrpipeline.store.CreateOnce;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.StoreLocation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Iceberg's {@code FileIO} over the product's {@link ObjectStore} of a local folder, so that an
 * Iceberg table lives in a folder without Hadoop. Locations are {@code file:/abs/path} (or the bare
 * path); a location outside the store's folder is refused.
 */
public final class StoreFileIO implements SupportsPrefixOperations {
  private static final long serialVersionUID = 1L;

  private transient ObjectStore store;
  private Path root;

  /**
   * For a catalog that makes its FileIO by class name ({@code io-impl}): {@link #initialize} then
   * takes the folder from the catalog's {@code warehouse}, and the FileIO keeps to it.
   */
  public StoreFileIO() {}

  public StoreFileIO(ObjectStore store) {
    this.store = Objects.requireNonNull(store, "store is null");
    if (!(store.location() instanceof StoreLocation.Local local)) {
      throw new IllegalArgumentException(
          "StoreFileIO is for local folders, got " + store.location().display());
    }
    this.root = local.root().toAbsolutePath().normalize();
  }

  /** The location of a key of the store: {@code file:/root/key}. */
  public static String location(Path root, String key) {
    return "file:" + root.toAbsolutePath().normalize().resolve(key);
  }

  /** The local path of a location. */
  public static Path path(String location) {
    Objects.requireNonNull(location, "location is null");
    String p =
        location.startsWith("file://")
            ? location.substring("file://".length())
            : location.startsWith("file:") ? location.substring("file:".length()) : location;
    return Path.of(p).toAbsolutePath().normalize();
  }

  /**
   * Takes the folder from {@code warehouse} when made by class name; a FileIO made on a store keeps
   * that store's.
   */
  @Override
  public void initialize(Map<String, String> properties) {
    if (root != null) {
      return;
    }
    String warehouse = properties.get(CatalogProperties.WAREHOUSE_LOCATION);
    if (warehouse == null
        || warehouse.isBlank()
        || (warehouse.contains("://") && !warehouse.startsWith("file:"))) {
      throw new IllegalArgumentException(
          "StoreFileIO needs a local folder as the catalog's 'warehouse', got "
              + (warehouse == null ? "none" : "'" + warehouse + "'"));
    }
    root = path(warehouse);
  }

  @Override
  public Map<String, String> properties() {
    return root == null ? Map.of() : Map.of(CatalogProperties.WAREHOUSE_LOCATION, "file:" + root);
  }

  private ObjectStore store() {
    requireRoot();
    if (store == null) {
      store = new LocalStore(root);
    }
    return store;
  }

  private void requireRoot() {
    if (root == null) {
      throw new IllegalStateException(
          "StoreFileIO has no folder: make it on a store, or initialize it with a 'warehouse'");
    }
  }

  /** The store key of a location. */
  String key(String location) {
    requireRoot();
    Path p = path(location);
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException(
          "location " + location + " is outside the table's folder " + root);
    }
    return root.relativize(p).toString().replace('\\', '/');
  }

  @Override
  public InputFile newInputFile(String location) {
    return MetadataFile.checked(new In(location, -1));
  }

  @Override
  public InputFile newInputFile(String location, long length) {
    return MetadataFile.checked(new In(location, length));
  }

  /**
   * The file as stored, not checked even when it is table metadata (to move a damaged one aside).
   */
  InputFile rawInputFile(String location) {
    return new In(location, -1);
  }

  @Override
  public OutputFile newOutputFile(String location) {
    return new Out(location);
  }

  @Override
  public void deleteFile(String location) {
    try {
      store().delete(key(location));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + location + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Iterable<FileInfo> listPrefix(String prefix) {
    List<FileInfo> out = new ArrayList<>();
    Path p = path(prefix);
    String keyPrefix = p.equals(root) ? "" : key(prefix) + (prefix.endsWith("/") ? "/" : "");
    try {
      store()
          .list(
              keyPrefix,
              (ObjectInfo o) ->
                  out.add(
                      new FileInfo(
                          location(root, o.key()), o.size(), o.lastModified().toEpochMilli())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + prefix + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void deletePrefix(String prefix) {
    for (FileInfo f : listPrefix(prefix)) {
      deleteFile(f.location());
    }
  }

  /** A file of the store, read in place when it is local. */
  private final class In implements InputFile {
    private final String location;
    private long length;

    In(String location, long length) {
      this.location = location;
      this.length = length;
    }

    @Override
    public long getLength() {
      if (length < 0) {
        try {
          length =
              store()
                  .stat(key(location))
                  .map(ObjectInfo::size)
                  .orElseThrow(() -> new NotFoundException("no such file: %s", location));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return length;
    }

    @Override
    public SeekableInputStream newStream() {
      Optional<Path> local = store().localPath(key(location));
      try {
        if (local.isPresent()) {
          if (!Files.isRegularFile(local.get())) {
            throw new NotFoundException("no such file: %s", location);
          }
          return new FileStream(new RandomAccessFile(local.get().toFile(), "r"));
        }
        return new BytesStream(store().read(key(location)));
      } catch (NoSuchFileException e) {
        throw new NotFoundException(e, "no such file: %s", location);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + location + ": " + e.getMessage(), e);
      }
    }

    @Override
    public String location() {
      return location;
    }

    @Override
    public boolean exists() {
      try {
        return store().stat(key(location)).isPresent();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * A new file: written beside its place, then moved there whole, never over another one. A write
   * that fails leaves nothing: the partial file is removed and never moved into place, even when
   * the writer closes the stream after the failure (as Iceberg's writers do).
   */
  private final class Out implements OutputFile {
    private final String location;

    Out(String location) {
      this.location = location;
    }

    @Override
    public PositionOutputStream create() {
      if (newInputFile(location).exists()) {
        throw new AlreadyExistsException("file already exists: %s", location);
      }
      return open(false);
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
      return open(true);
    }

    private PositionOutputStream open(boolean overwrite) {
      String key = key(location);
      Path target = store().localPath(key).orElseThrow();
      try {
        Files.createDirectories(target.getParent());
        Path tmp =
            target.resolveSibling("." + target.getFileName() + "." + System.nanoTime() + ".tmp");
        OutputStream os =
            Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new PositionOutputStream() {
          private long pos;
          private boolean closed;
          private boolean failed;

          @Override
          public long getPos() {
            return pos;
          }

          @Override
          public void write(int b) throws IOException {
            try {
              if (pos == 0) {
                io.cdrpipeline.crash.Failpoints.write("table.write");
              }
              os.write(b);
              pos++;
            } catch (IOException e) {
              throw failed(e);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            try {
              if (pos == 0) {
                io.cdrpipeline.crash.Failpoints.write("table.write");
              }
              os.write(b, off, len);
              pos += len;
            } catch (IOException e) {
              throw failed(e);
            }
          }

          @Override
          public void flush() throws IOException {
            try {
              os.flush();
            } catch (IOException e) {
              throw failed(e);
            }
          }

          /**
           * Removes the partial file at once: a writer that fails may never close its stream
           * (Avro's do not).
           */
          private IOException failed(IOException e) {
            failed = true;
            try {
              os.close();
            } catch (IOException closing) {
              e.addSuppressed(closing);
            }
            try {
              Files.deleteIfExists(tmp);
            } catch (IOException deleting) {
              e.addSuppressed(deleting);
            }
            return WriteFailure.of(target, -1, e);
          }

          @Override
          public void close() throws IOException {
            if (closed) {
              return;
            }
            closed = true;
            try {
              if (failed) {
                return;
              }
              os.close();
              if (overwrite) {
                Files.move(
                    tmp,
                    target,
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
              } else {
                CreateOnce.link(tmp, target);
              }
            } catch (FileAlreadyExistsException e) {
              throw new AlreadyExistsException("file already exists: %s", location);
            } catch (IOException e) {
              throw failed(e);
            } finally {
              Files.deleteIfExists(tmp);
            }
          }
        };
      } catch (IOException e) {
        throw new UncheckedIOException(WriteFailure.of(target, -1, e));
      }
    }

    @Override
    public String location() {
      return location;
    }

    @Override
    public InputFile toInputFile() {
      return newInputFile(location);
    }
  }

  private static final class FileStream extends SeekableInputStream {
    private final RandomAccessFile file;

    FileStream(RandomAccessFile file) {
      this.file = file;
    }

    @Override
    public long getPos() throws IOException {
      return file.getFilePointer();
    }

    @Override
    public void seek(long newPos) throws IOException {
      file.seek(newPos);
    }

    @Override
    public int read() throws IOException {
      return file.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return file.read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  /** A stream over bytes read whole. */
  static final class BytesStream extends SeekableInputStream {
    private final byte[] bytes;
    private final ByteArrayInputStream in;

    BytesStream(byte[] bytes) {
      this.bytes = bytes;
      this.in = new ByteArrayInputStream(bytes);
    }

    @Override
    public long getPos() {
      return bytes.length - in.available();
    }

    @Override
    public void seek(long newPos) {
      in.reset();
      in.skip(newPos);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, len);
    }
  }
}
