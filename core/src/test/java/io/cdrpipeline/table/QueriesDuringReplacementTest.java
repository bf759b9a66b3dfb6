package io.cdrpipeline.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries looping while {@code etl --full --force} replaces the same days again and again: no query
 * fails (replaced files stay for the retention), and every query sees each day whole, never half
 * replaced nor doubled.
 */
class QueriesDuringReplacementTest {
  static final Map<LocalDate, Integer> CALLS =
      Map.of(
          LocalDate.of(2026, 11, 27), 400,
          LocalDate.of(2026, 11, 28), 250,
          LocalDate.of(2026, 11, 29), 330);
  static final String PER_DAY =
      "SELECT day, count(*), count(DISTINCT callid), count(DISTINCT source_key) "
          + "FROM processed_cdrs WHERE year = 2026 AND month = 11 GROUP BY day ORDER BY day";

  @TempDir Path tmp;

  @Test
  void queriesDuringReRunsNeverFailAndAlwaysSeeWholeDays() throws Exception {
    Pipeline writer = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(writer.cdr);
    long seed = 7;
    for (Map.Entry<LocalDate, Integer> d : new TreeMap<>(CALLS).entrySet()) {
      gen.generate(d.getKey(), d.getValue(), 2, seed++, 2, null);
    }
    writer.crawler().crawlRaw(writer.cdr, ProcessedSchema.SOURCE_CDR, false);
    writer.etl().runFull(2, false);
    List<String> expected = new ArrayList<>();
    new TreeMap<>(CALLS)
        .forEach((d, n) -> expected.add(d.getDayOfMonth() + "," + n + "," + n + "," + n));
    assertThat(perDay(writer)).isEqualTo(expected);
    long snapshotsBefore = writer.table().iceberg().refresh().history().size();

    Pipeline reader =
        new Pipeline(tmp); // its own catalog connections and table, as another process has
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<List<String>> seen = new ArrayList<>();
    Thread queries =
        new Thread(
            () -> {
              try {
                while (writing.get()) {
                  List<String> answer = perDay(reader);
                  synchronized (seen) {
                    seen.add(answer);
                  }
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "looping-queries");
    queries.start();
    int reRuns = 4;
    try {
      for (int i = 0; i < reRuns; i++) {
        writer.etl().runFull(2, true);
      }
    } finally {
      writing.set(false);
      queries.join(120_000);
    }

    assertThat(failure.get()).as("a query failed while days were replaced").isNull();
    assertThat(seen).hasSizeGreaterThan(reRuns);
    Set<List<String>> distinct = new HashSet<>(seen);
    assertThat(distinct).containsExactly(expected);
    // the days really were replaced under the queries: one snapshot per day and run
    long snapshotsAfter = writer.table().iceberg().refresh().history().size();
    assertThat(snapshotsAfter - snapshotsBefore).isEqualTo((long) reRuns * CALLS.size());
  }

  static List<String> perDay(Pipeline p) {
    List<String> out = new ArrayList<>();
    for (List<Object> r : p.sql(PER_DAY).rows()) {
      out.add(r.get(0) + "," + r.get(1) + "," + r.get(2) + "," + r.get(3));
    }
    return out;
  }
}
