package io.cdrpipeline.table;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * A table metadata file ({@code *.metadata.json}) read whole and parsed before Iceberg gets it: one
 * that cannot be parsed fails at once with a {@link DamagedFileException} instead of the twenty
 * attempts Iceberg makes over a minute and a half at every open of the table.
 */
final class MetadataFile {
  private MetadataFile() {}

  /**
   * True for the name of a table metadata file (plain JSON, as the product's tables write them).
   */
  static boolean is(String location) {
    return location.endsWith(".metadata.json");
  }

  /**
   * The table metadata files ({@code NNNNN-uuid.metadata.json}) under a table's location, newest
   * version first; none when the storage cannot list files.
   */
  static List<String> list(FileIO io, String location) {
    List<FileInfo> found = new ArrayList<>();
    if (io instanceof SupportsPrefixOperations prefixes) {
      for (FileInfo f : prefixes.listPrefix(location + "/metadata/")) {
        if (is(f.location())
            && f.location().equals(location + "/metadata/" + IcebergTable.name(f.location()))) {
          found.add(f);
        }
      }
    }
    // two files of one version: one was written by a commit that lost (or by a table made anew),
    // the newer one counts
    found.sort(
        Comparator.comparingLong((FileInfo f) -> version(f.location()))
            .thenComparingLong(FileInfo::createdAtMillis)
            .reversed());
    return found.stream().map(FileInfo::location).toList();
  }

  /** The version a metadata file's name starts with ({@code 00012-...} is 12), or -1. */
  static long version(String location) {
    String name = IcebergTable.name(location);
    int dash = name.indexOf('-');
    try {
      return dash > 0 ? Long.parseLong(name.substring(0, dash)) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The file, checked when read if it is a table metadata file. */
  static InputFile checked(InputFile file) {
    return is(file.location()) ? new Checked(file) : file;
  }

  /** The file as stored in the table's FileIO, not checked: to copy a damaged metadata file. */
  static InputFile raw(org.apache.iceberg.io.FileIO io, String location) {
    if (io instanceof StoreFileIO store) {
      return store.rawInputFile(location);
    }
    if (io instanceof CheckedS3FileIO s3) {
      return s3.rawInputFile(location);
    }
    return io.newInputFile(location);
  }

  private static String reason(Exception e, int length) {
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
        return reason(j, length); // the parser's own exception, wrapped by Iceberg
      }
    }
    if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
      return "it ends early, after " + length + " bytes";
    }
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
        && j.getLocation() != null) {
      return "not valid JSON at line "
          + j.getLocation().getLineNr()
          + ", column "
          + j.getLocation().getColumnNr();
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).strip();
  }

  private static final class Checked implements InputFile {
    private final InputFile file;

    Checked(InputFile file) {
      this.file = file;
    }

    @Override
    public long getLength() {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      byte[] bytes;
      try (InputStream in = file.newStream()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        bytes = out.toByteArray();
      } catch (IOException e) {
        throw new org.apache.iceberg.exceptions.RuntimeIOException(
            e, "Failed to read file: %s", file.location());
      }
      try {
        // the String form: the Spark job's Iceberg shades Jackson, so no Jackson type may cross
        // this call
        TableMetadataParser.fromJson(file.location(), new String(bytes, StandardCharsets.UTF_8));
      } catch (NotFoundException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new DamagedFileException(file.location(), reason(e, bytes.length), e);
      }
      return new StoreFileIO.BytesStream(bytes);
    }

    @Override
    public String location() {
      return file.location();
    }

    @Override
    public boolean exists() {
      return file.exists();
    }
  }
}
