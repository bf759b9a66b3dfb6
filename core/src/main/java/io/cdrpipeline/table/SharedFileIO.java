package io.cdrpipeline.table;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * For a catalog that makes its FileIO by class name ({@code io-impl}) from text properties only
 * (Iceberg's GlueCatalog makes one per table): the FileIO this process opened the table with, found
 * by the id {@value #ID} in those properties. So the catalog reads and writes metadata with exactly
 * the product's S3 client and settings, never a second, differently configured one. Closing it
 * leaves the shared FileIO open; its owner closes it, then {@link #release}s it.
 */
public final class SharedFileIO implements FileIO {
  private static final long serialVersionUID = 1L;

  /** The catalog property naming the shared FileIO. */
  public static final String ID = "cdr.shared-io";

  private static final Map<String, FileIO> SHARED = new ConcurrentHashMap<>();

  private transient FileIO io;
  private String id;

  /** For Iceberg, which makes it by class name and then calls {@link #initialize}. */
  public SharedFileIO() {}

  /** Shares a FileIO in this process; returns the id to pass as {@value #ID}. */
  static String share(FileIO io) {
    Objects.requireNonNull(io, "io is null");
    String id = UUID.randomUUID().toString();
    SHARED.put(id, io);
    return id;
  }

  /**
   * Ends every sharing of a FileIO (its owner closed it): a catalog that makes one for it
   * afterwards fails.
   */
  static void release(FileIO io) {
    SHARED.values().removeIf(shared -> shared == io);
  }

  @Override
  public void initialize(Map<String, String> properties) {
    id = properties.get(ID);
    io = id == null ? null : SHARED.get(id);
    if (io == null) {
      throw new IllegalStateException(
          "the table's FileIO " + (id == null ? "is not named (" + ID + ")" : "was closed"));
    }
  }

  private FileIO io() {
    if (io == null) {
      throw new IllegalStateException("SharedFileIO is not initialized");
    }
    return io;
  }

  @Override
  public InputFile newInputFile(String path) {
    return io().newInputFile(path);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return io().newInputFile(path, length);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    return io().newOutputFile(path);
  }

  @Override
  public void deleteFile(String path) {
    io().deleteFile(path);
  }

  @Override
  public Map<String, String> properties() {
    return Map.of(ID, id == null ? "" : id);
  }

  @Override
  public void close() {
    // the shared FileIO belongs to the table that shared it
  }
}
