package io.cdrpipeline.watch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The raw objects of a day that batches took, held as 64-bit hashes of {@code source/key} in an
 * open-addressing table: about 16 bytes an object, so a day of 1,000,000 objects takes about 16 MB
 * instead of the ~190 MB of its keys as strings. Two keys with the same hash (about one chance in
 * 10^7 for a day of 2,000,000 objects) make the watch skip the second: it comes with the daily
 * ETL's replacement of the day, never twice.
 */
final class KeySet {
  private static final long EMPTY = 0;
  private long[] slots = new long[64];
  private int size;

  /** Adds an object; true when it was not there. */
  boolean add(int source, String key) {
    return addHash(hash(source, key));
  }

  boolean contains(int source, String key) {
    long h = hash(source, key);
    int mask = slots.length - 1;
    for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
      if (slots[i] == EMPTY) {
        return false;
      }
      if (slots[i] == h) {
        return true;
      }
    }
  }

  int size() {
    return size;
  }

  private boolean addHash(long h) {
    if ((size + 1) * 2L > slots.length) {
      grow();
    }
    int mask = slots.length - 1;
    for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
      if (slots[i] == EMPTY) {
        slots[i] = h;
        size++;
        return true;
      }
      if (slots[i] == h) {
        return false;
      }
    }
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    size = 0;
    Arrays.stream(old).filter(h -> h != EMPTY).forEach(this::addHash);
  }

  /** A 64-bit hash of the object, never 0 (the empty slot). */
  static long hash(int source, String key) {
    long h = 0xcbf29ce484222325L ^ source;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == EMPTY ? 1 : h;
  }
}
