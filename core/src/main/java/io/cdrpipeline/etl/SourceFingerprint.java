package io.cdrpipeline.etl;

import io.cdrpipeline.store.ObjectInfo;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * An order-independent fingerprint of the raw objects of a day (which keys, of which sizes), so a
 * day whose objects are unchanged can be skipped and a late or rewritten file is noticed.
 * Modification times are left out on purpose: reading them costs a metadata call per file, and a
 * CDR object is written once (a late file has a new key). Thread-safe; serializable, so the parts a
 * cluster's tasks saw merge into the day's.
 */
public final class SourceFingerprint implements Serializable {
  private static final long serialVersionUID = 1L;

  private long count;
  private long bytes;
  private long sum;
  private long xor;

  /** Adds one object. */
  public synchronized void add(int source, ObjectInfo o) {
    long h = 0xcbf29ce484222325L ^ source;
    byte[] k = o.key().getBytes(StandardCharsets.UTF_8);
    for (byte b : k) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    h = mix(h ^ mix(o.size()));
    count++;
    bytes += o.size();
    sum += h;
    xor ^= h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** Adds every object another fingerprint has seen. */
  public synchronized void merge(SourceFingerprint other) {
    synchronized (other) {
      count += other.count;
      bytes += other.bytes;
      sum += other.sum;
      xor ^= other.xor;
    }
  }

  public synchronized long count() {
    return count;
  }

  public synchronized long bytes() {
    return bytes;
  }

  /** The fingerprint as text, as stored in the catalog. */
  public synchronized String value() {
    return String.format("%d-%d-%016x-%016x", count, bytes, sum, xor);
  }
}
