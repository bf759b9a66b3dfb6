package io.cdrpipeline.spark;

import io.cdrpipeline.etl.SourceFingerprint;
import io.cdrpipeline.model.ColumnType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one read task (or, merged, the whole day) saw besides rows and rejections: the objects for
 * the fingerprint, counts, and each unknown field's type and number of rows.
 */
final class ReadSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  final SourceFingerprint seen = new SourceFingerprint();
  long files;
  long bytes;
  long rows;
  long rejected;
  long listed;

  /** Read tasks, their time in all and the longest one's, in nanoseconds. */
  long tasks;

  long taskNanos;
  long longestTaskNanos;
  final Map<String, ColumnType> extraTypes = new HashMap<>();
  final Map<String, Long> extraRows = new HashMap<>();
  final List<String> vanished = new ArrayList<>();

  void merge(ReadSummary o) {
    seen.merge(o.seen);
    files += o.files;
    bytes += o.bytes;
    rows += o.rows;
    rejected += o.rejected;
    listed += o.listed;
    tasks += o.tasks;
    taskNanos += o.taskNanos;
    longestTaskNanos = Math.max(longestTaskNanos, o.longestTaskNanos);
    o.extraTypes.forEach((k, t) -> extraTypes.merge(k, t, ColumnType::widen));
    o.extraRows.forEach((k, n) -> extraRows.merge(k, n, Long::sum));
    vanished.addAll(o.vanished);
  }

  byte[] toBytes() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(b)) {
      out.writeObject(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  static ReadSummary fromBytes(byte[] bytes) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (ReadSummary) in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
