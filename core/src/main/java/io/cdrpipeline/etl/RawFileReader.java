package io.cdrpipeline.etl;

import io.cdrpipeline.crash.Failpoints;
import io.cdrpipeline.model.InputLimits;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.StoredObject;
import io.cdrpipeline.store.UnreadableObjectException;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads one listed raw object of a day into a row or a rejection, for every ETL engine alike: the
 * size limit, links, pipes and unreadable files, sub-folders, files that vanish, and what the day's
 * {@link SourceFingerprint} holds of each. Thread-safe.
 */
public final class RawFileReader {
  private final Normalizer normalizer = new Normalizer();

  /** Where the objects read go. Called from the reading thread only. */
  public interface Sink {
    /** A valid record of bucket number {@code source}, read from {@code bytes} bytes. */
    void row(ProcessedRow row, int source, long bytes) throws IOException;

    /** A file that cannot become a row; {@code bytes} read of it (0 when it was not read). */
    void rejected(Rejection rejection, long bytes) throws IOException;

    /** One more object found, under a key that named a sub-folder. */
    default void listed() {}

    /** A listed object that was gone when read. */
    default void vanished(String key) {}
  }

  /**
   * Reads the object at {@code key} of the bucket (or every object under it when the key names a
   * sub-folder) and adds what a listing of the day holds of it to {@code seen}.
   */
  public void read(RawSource src, int source, String key, Sink out, SourceFingerprint seen)
      throws IOException {
    String sourceKey = src.sourceKeyPrefix().isEmpty() ? key : src.sourceKeyPrefix() + key;
    Optional<StoredObject> read;
    try {
      read = src.store().readObject(key, InputLimits.MAX_FILE_BYTES);
    } catch (UnreadableObjectException e) {
      // the day's fingerprint holds what a listing of the day holds: regular files with sizes; a
      // file not permitted is left out, so etl --full tries it again once it can be read
      if (e.kind() == UnreadableObjectException.Kind.TOO_LARGE) {
        seen.add(source, new ObjectInfo(key, e.size(), Instant.EPOCH));
      }
      out.rejected(new Rejection(sourceKey, e.getMessage()), 0);
      return;
    }
    if (read.isEmpty()) {
      if (src.store().isFolder(key)) {
        for (ObjectInfo o : src.store().listAll(key + "/")) {
          out.listed();
          read(src, source, o.key(), out, seen);
        }
      } else {
        out.vanished(key);
      }
      return;
    }
    StoredObject so = read.get();
    seen.add(source, so.info());
    NormalizedRecord r = normalizer.normalize(so.content(), sourceKey);
    if (r instanceof ProcessedRow row) {
      out.row(row, source, so.content().length);
    } else {
      out.rejected((Rejection) r, so.content().length);
    }
    Failpoints.hit("etl.read");
  }
}
