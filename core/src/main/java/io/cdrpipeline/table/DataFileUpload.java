package io.cdrpipeline.table;

import io.cdrpipeline.crash.Failpoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.iceberg.io.FileIO;

/** Puts a local Parquet file at its place in the table (not yet part of any snapshot). */
final class DataFileUpload {
  private DataFileUpload() {}

  static void upload(FileIO io, Path local, String location) throws IOException {
    if (io instanceof StoreFileIO store) {
      Path target = StoreFileIO.path(location);
      store.key(location); // refuses a place outside the table's folder
      Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
      try {
        Files.createDirectories(target.getParent());
        Files.copy(local, tmp, StandardCopyOption.REPLACE_EXISTING);
        Failpoints.write("table.write");
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // a partial copy of a big file is what fills a disk for good: never leave it
        Files.deleteIfExists(tmp);
        throw WriteFailure.of(target, Files.size(local), e);
      }
      return;
    }
    try (InputStream in = Files.newInputStream(local);
        OutputStream out = io.newOutputFile(location).createOrOverwrite()) {
      in.transferTo(out);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
