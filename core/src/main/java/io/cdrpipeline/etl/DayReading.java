package io.cdrpipeline.etl;

import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.RawLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads one day's raw files in parallel: lists the day's folders of every bucket, feeds the keys in
 * batches to a pool of workers, each normalizing files into its own {@link StagingFile}, and counts
 * what was listed, read and rejected as it goes.
 */
final class DayReading {
  private static final int BATCH = 128;
  private static final List<String> END = new ArrayList<>();

  private final List<RawSource> sources;
  private final RawFileReader reader;
  private final EtlListener listener;
  private final LocalDate day;
  private final int workers;
  private final SourceFingerprint fingerprint = new SourceFingerprint();
  private final AtomicLong filesDone = new AtomicLong();
  private final AtomicLong listed = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Map<String, ColumnType> extraTypes = new ConcurrentHashMap<>();
  private final List<StagingFile> staged = new ArrayList<>();
  private volatile boolean listingDone;

  /** The keys to read by source index instead of the day's listing, when given. */
  private final Map<Integer, List<String>> chosen;

  DayReading(
      List<RawSource> sources,
      RawFileReader reader,
      EtlListener listener,
      LocalDate day,
      int workers) {
    this(sources, reader, listener, day, workers, null);
  }

  /**
   * Reads exactly the given keys (by source index) instead of listing the day, when {@code chosen}
   * is not null.
   */
  DayReading(
      List<RawSource> sources,
      RawFileReader reader,
      EtlListener listener,
      LocalDate day,
      int workers,
      Map<Integer, List<String>> chosen) {
    this.sources = sources;
    this.reader = reader;
    this.listener = listener;
    this.day = day;
    this.workers = workers;
    this.chosen = chosen == null ? null : Map.copyOf(chosen);
  }

  /** Files read or rejected so far. */
  long filesDone() {
    return filesDone.get();
  }

  /** Files listed so far. */
  long listed() {
    return listed.get();
  }

  /** True once the listing of the day is over. */
  boolean listingDone() {
    return listingDone;
  }

  long bytesRead() {
    return bytesRead.get();
  }

  long rowsRead() {
    return rowsRead.get();
  }

  /**
   * Files rejected: by the readers, and any the writing quarantines later ({@link #addRejected}).
   */
  long rejected() {
    return rejected.get();
  }

  void addRejected(long n) {
    rejected.addAndGet(n);
  }

  /** The fingerprint of every file read. */
  SourceFingerprint fingerprint() {
    return fingerprint;
  }

  /**
   * The unknown fields met, with the type of their values (the writing may narrow it to those
   * kept).
   */
  Map<String, ColumnType> extraTypes() {
    return extraTypes;
  }

  /** The workers' staged output, one file pair per worker. */
  List<StagingFile> staged() {
    return staged;
  }

  /** Lists the day and feeds the workers; returns when every listed file is staged. */
  void read(Path work) throws IOException {
    for (int w = 0; w < workers; w++) {
      staged.add(new StagingFile(work, w, extraTypes));
    }
    List<Thread> threads = new ArrayList<>();
    BlockingQueue<SourcedBatch> queue = new ArrayBlockingQueue<>(workers * 8);
    for (int w = 0; w < workers; w++) {
      StagingFile out = staged.get(w);
      Thread t = new Thread(() -> worker(out, queue), "etl-worker-" + w);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    try {
      if (chosen != null) {
        feedChosen(queue);
      }
      for (int i = 0; chosen == null && i < sources.size() && failure.get() == null; i++) {
        RawSource src = sources.get(i);
        int srcIndex = i;
        for (String vc : src.store().listFolders(RawLayout.ROOT)) {
          List<String>[] batch = new List[] {new ArrayList<>(BATCH)};
          src.store()
              .listKeys(
                  RawLayout.dayPrefix(vc, day),
                  key -> {
                    listed.incrementAndGet();
                    batch[0].add(key);
                    if (batch[0].size() == BATCH) {
                      put(queue, new SourcedBatch(srcIndex, batch[0]));
                      batch[0] = new ArrayList<>(BATCH);
                    }
                  });
          if (!batch[0].isEmpty()) {
            put(queue, new SourcedBatch(srcIndex, batch[0]));
          }
          if (failure.get() != null) {
            break;
          }
        }
      }
    } finally {
      listingDone = true;
      for (int w = 0; w < workers; w++) {
        put(queue, new SourcedBatch(-1, END));
      }
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }
    Throwable f = failure.get();
    if (f instanceof IOException io) {
      throw io;
    }
    if (f instanceof UncheckedIOException u) {
      throw u.getCause();
    }
    if (f != null) {
      throw new IllegalStateException("ETL worker failed: " + f, f);
    }
  }

  /** Feeds the chosen keys to the workers in batches, as a listing would. */
  private void feedChosen(BlockingQueue<SourcedBatch> queue) {
    for (Map.Entry<Integer, List<String>> e : new java.util.TreeMap<>(chosen).entrySet()) {
      List<String> keys = e.getValue();
      for (int from = 0; from < keys.size() && failure.get() == null; from += BATCH) {
        List<String> batch =
            new ArrayList<>(keys.subList(from, Math.min(keys.size(), from + BATCH)));
        listed.addAndGet(batch.size());
        put(queue, new SourcedBatch(e.getKey(), batch));
      }
    }
  }

  private void put(BlockingQueue<SourcedBatch> q, SourcedBatch b) {
    try {
      while (!q.offer(b, 100, TimeUnit.MILLISECONDS)) {
        if (failure.get() != null && b.source() >= 0) {
          return; // the run fails anyway; the workers only drain now
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted"));
    }
  }

  private void worker(StagingFile out, BlockingQueue<SourcedBatch> queue) {
    SourceFingerprint seen = new SourceFingerprint();
    RawFileReader.Sink staging = sink(out);
    try (out) {
      while (true) {
        SourcedBatch b = queue.take();
        if (b.source() < 0) {
          break;
        }
        if (failure.get() != null) {
          continue; // drain so the lister never blocks
        }
        RawSource src = sources.get(b.source());
        for (String key : b.keys()) {
          reader.read(src, b.source(), key, staging, seen);
        }
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
      try {
        while (true) {
          SourcedBatch b = queue.poll(100, TimeUnit.MILLISECONDS);
          if ((b != null && b.source() < 0) || (b == null && listingDone && queue.isEmpty())) {
            break;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      fingerprint.merge(seen);
    }
  }

  /** Stages what the shared reader reads, and counts it. */
  private RawFileReader.Sink sink(StagingFile out) {
    return new RawFileReader.Sink() {
      @Override
      public void row(ProcessedRow row, int source, long bytes) throws IOException {
        bytesRead.addAndGet(bytes);
        out.row(row, source);
        rowsRead.incrementAndGet();
        filesDone.incrementAndGet();
      }

      @Override
      public void rejected(Rejection rejection, long bytes) throws IOException {
        bytesRead.addAndGet(bytes);
        out.reject(rejection);
        rejected.incrementAndGet();
        filesDone.incrementAndGet();
      }

      @Override
      public void listed() {
        listed.incrementAndGet();
      }

      @Override
      public void vanished(String key) {
        listener.message("file vanished while processing, skipped: " + key);
      }
    };
  }

  /** A batch of listed objects of one source. */
  private record SourcedBatch(int source, List<String> keys) {}
}
