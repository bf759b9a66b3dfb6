package io.cdrpipeline.spark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cdrpipeline.etl.Normalizer;
import io.cdrpipeline.etl.ProcessedRow;
import io.cdrpipeline.etl.RawFileReader;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.etl.Rejection;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One read task: reads its batches of listed objects with the product's store and {@link
 * RawFileReader} (the embedded engine's reader, so the same rows, rejections and fingerprint), and
 * emits {@link DayRows} ending with the task's {@link ReadSummary}.
 */
final class ReadTask implements FlatMapFunction<Iterator<ReadTask.Batch>, Row> {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory JSON = new JsonFactory();

  /** Requests in flight per task reading S3 (at most the store's own setting). */
  static final int S3_READERS_PER_TASK = 16;

  /** Listed keys of one bucket, read by one task. */
  record Batch(int source, List<String> keys) implements Serializable {}

  private final List<SourceSpec> sources;

  ReadTask(List<SourceSpec> sources) {
    this.sources = List.copyOf(Objects.requireNonNull(sources, "sources is null"));
  }

  @Override
  public Iterator<Row> call(Iterator<Batch> batches) throws IOException {
    long t0 = System.nanoTime();
    ReadSummary summary = new ReadSummary();
    List<Row> out = new ArrayList<>();
    RawFileReader reader = new RawFileReader();
    while (batches.hasNext()) {
      Batch b = batches.next();
      RawSource src = sources.get(b.source()).open();
      if (src.store().location() instanceof StoreLocation.S3) {
        readInParallel(reader, src, b, summary, out);
      } else {
        // a folder: reading is CPU work, and Spark already runs a task per core
        RawFileReader.Sink sink = new Sink(summary, out);
        for (String key : b.keys()) {
          reader.read(src, b.source(), key, sink, summary.seen);
        }
      }
    }
    summary.tasks = 1;
    summary.taskNanos = System.nanoTime() - t0;
    summary.longestTaskNanos = summary.taskNanos;
    Object[] s = new Object[DayRows.WIDTH];
    s[DayRows.KIND] = DayRows.SUMMARY;
    s[DayRows.SUMMARY_BYTES] = summary.toBytes();
    out.add(RowFactory.create(s));
    return out.iterator();
  }

  /**
   * Reads a batch of S3 objects with several requests in flight (reading S3 is mostly waiting),
   * each reader with its own rows and summary, merged at the end in key order.
   */
  private static void readInParallel(
      RawFileReader reader, RawSource src, Batch b, ReadSummary summary, List<Row> out)
      throws IOException {
    int threads =
        Math.max(1, Math.min(S3_READERS_PER_TASK, src.store().readers(S3_READERS_PER_TASK)));
    int per = (b.keys().size() + threads - 1) / threads;
    List<Future<ReadSummary>> parts = new ArrayList<>();
    List<List<Row>> rows = new ArrayList<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "cdr-s3-read");
              t.setDaemon(true);
              return t;
            });
    try {
      for (int from = 0; from < b.keys().size(); from += per) {
        List<String> keys = b.keys().subList(from, Math.min(b.keys().size(), from + per));
        List<Row> mine = new ArrayList<>();
        rows.add(mine);
        parts.add(
            pool.submit(
                () -> {
                  ReadSummary part = new ReadSummary();
                  RawFileReader.Sink sink = new Sink(part, mine);
                  for (String key : keys) {
                    reader.read(src, b.source(), key, sink, part.seen);
                  }
                  return part;
                }));
      }
      for (Future<ReadSummary> f : parts) {
        summary.merge(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    rows.forEach(out::addAll);
  }

  private static final class Sink implements RawFileReader.Sink {
    private final ReadSummary summary;
    private final List<Row> out;
    private final StringWriter extras = new StringWriter();

    Sink(ReadSummary summary, List<Row> out) {
      this.summary = summary;
      this.out = out;
    }

    @Override
    public void row(ProcessedRow row, int source, long bytes) throws IOException {
      Object[] r = new Object[DayRows.WIDTH];
      r[DayRows.KIND] = DayRows.ROW;
      System.arraycopy(row.values(), 0, r, DayRows.FIRST_COLUMN, row.values().length);
      r[DayRows.EXTRAS] = row.extras().isEmpty() ? null : extrasJson(row.extras());
      r[DayRows.SOURCE] = source;
      out.add(RowFactory.create(r));
      summary.bytes += bytes;
      summary.rows++;
      summary.files++;
    }

    @Override
    public void rejected(Rejection rejection, long bytes) {
      Object[] r = new Object[DayRows.WIDTH];
      r[DayRows.KIND] = DayRows.REJECTED;
      r[DayRows.SOURCE_KEY] = rejection.sourceKey();
      r[DayRows.REASON] = rejection.reason();
      out.add(RowFactory.create(r));
      summary.bytes += bytes;
      summary.rejected++;
      summary.files++;
    }

    @Override
    public void listed() {
      summary.listed++;
    }

    @Override
    public void vanished(String key) {
      summary.vanished.add(key);
    }

    /**
     * The non-null unknown fields as JSON, in the record's order, as the embedded engine stages
     * them.
     */
    private String extrasJson(Map<String, Object> values) throws IOException {
      extras.getBuffer().setLength(0);
      int n = 0;
      try (JsonGenerator g = JSON.createGenerator(extras)) {
        g.writeStartObject();
        for (Map.Entry<String, Object> e : values.entrySet()) {
          Object x = e.getValue();
          if (x == null) {
            continue;
          }
          n++;
          summary.extraTypes.merge(e.getKey(), Normalizer.typeOf(x), ColumnType::widen);
          summary.extraRows.merge(e.getKey(), 1L, Long::sum);
          g.writeFieldName(e.getKey());
          ProcessedRow.writeExtra(g, x);
        }
        g.writeEndObject();
      }
      return n == 0 ? null : extras.toString();
    }
  }
}
