package io.cdrpipeline.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.testing.Postgres;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteDataSource;

/**
 * The totals behind {@code /metrics}: kept right by the writers of executions, events and ETL runs,
 * started from the history a catalog already holds, and read at a cost that does not grow with that
 * history.
 */
class MetricTotalsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void totalsFollowTheExecutionsAndEventsAsTheyAreWritten(String kind) {
    ExecutionStore store = new ExecutionStore(new Catalog(Database.open(url(kind, "c"))));
    history(store);
    assertThat(counts(store))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "daily/SUCCEEDED",
                1L,
                "daily/FAILED",
                1L,
                "daily/RUNNING",
                1L,
                "report/RUNNING",
                0L,
                "report/SUCCEEDED",
                1L));
    assertThat(steps(store))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "daily/crawl",
                "3 in 9.0s",
                "daily/etl",
                "2 in 77.5s",
                "report/query",
                "1 in 4.0s"));
  }

  @Test
  void anEndOfAStepWrittenByAProcessThatLostTheExecutionCountsNothing() {
    ExecutionStore store =
        new ExecutionStore(new Catalog(Database.open("jdbc:sqlite:" + tmp.resolve("c.db"))));
    store.create(execution("e1", "daily", "owner-a"));
    store.addEvent("e1", "owner-a", T0, ExecutionEvent.Type.STEP_STARTED, "crawl", null);
    assertThat(store.claim("e1", "owner-a", "owner-b", Optional.empty())).isTrue();
    assertThat(
            store.advance(
                "e1", "owner-a", 1, JSON.createObjectNode(), T0.plusSeconds(5), "crawl", null))
        .isEmpty();
    assertThat(
            store.finish(
                "e1",
                "owner-a",
                ExecutionStatus.SUCCEEDED,
                null,
                null,
                T0.plusSeconds(6),
                ExecutionEvent.Type.EXECUTION_SUCCEEDED,
                null,
                null))
        .isEmpty();
    assertThat(steps(store)).isEmpty();
    assertThat(counts(store)).containsExactlyInAnyOrderEntriesOf(Map.of("daily/RUNNING", 1L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void etlTotalsCountEachRunOnceEvenWhenItsEndIsRecordedTwice(String kind) {
    Catalog catalog = new Catalog(Database.open(url(kind, "c")));
    catalog.startRun("r1", "daily", T0);
    catalog.finishRun("r1", "SUCCEEDED", 1, 0, 3, 100, 2, 10, null);
    catalog.finishRun("r1", "SUCCEEDED", 1, 0, 3, 120, 1, 10, null);
    catalog.startRun("r2", "daily", T0);
    catalog.finishRun("r2", "FAILED", 0, 0, 1, 5, 4, 10, "boom");
    catalog.finishRun("nope", "FAILED", 0, 0, 1, 1000, 1000, 10, "no such run");
    assertThat(catalog.etlTotals()).isEqualTo(new Catalog.EtlTotals(125, 5));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void theMigrationStartsTheTotalsFromTheHistoryAlreadyThere(String kind) throws Exception {
    // a catalog from before the totals, with history written by the same steps as the test above
    String before = url(kind, "before");
    DataSource ds;
    if (kind.equals("sqlite")) {
      SQLiteDataSource sqlite = new SQLiteDataSource();
      sqlite.setUrl(before);
      ds = sqlite;
    } else {
      PGSimpleDataSource pg = new PGSimpleDataSource();
      pg.setUrl(before);
      ds = pg;
    }
    Flyway.configure()
        .dataSource(ds)
        .locations("classpath:db/migration")
        .table(Database.HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("8")
        .load()
        .migrate();
    ExecutionStore now = new ExecutionStore(new Catalog(Database.open(url(kind, "now"))));
    history(now);
    now.catalog().startRun("r1", "daily", T0);
    now.catalog().finishRun("r1", "SUCCEEDED", 1, 0, 3, 100, 2, 10, null);
    try (Connection c = ds.getConnection()) {
      copy(now.catalog(), c, "executions");
      copy(now.catalog(), c, "execution_events");
      copy(now.catalog(), c, "etl_runs");
    }
    ExecutionStore migrated = new ExecutionStore(new Catalog(Database.open(before)));
    assertThat(counts(migrated))
        .isEqualTo(
            counts(now).entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    assertThat(steps(migrated)).isEqualTo(steps(now));
    assertThat(migrated.catalog().etlTotals()).isEqualTo(new Catalog.EtlTotals(100, 2));
  }

  /**
   * A scrape's reads cost the same at a handful of executions and at 200,000 with 600,000 events
   * and as many ETL runs: measured as the SQLite virtual machine instructions its statements run,
   * not as time.
   */
  @Test
  void readingTheTotalsCostsTheSameWhateverTheHistory() throws Exception {
    String url = "jdbc:sqlite:" + tmp.resolve("big.db");
    ExecutionStore store = new ExecutionStore(new Catalog(Database.open(url)));
    history(store);
    AtomicLong steps = new AtomicLong();
    SQLiteDataSource counting =
        new SQLiteDataSource() {
          @Override
          public Connection getConnection() throws SQLException {
            Connection c = super.getConnection();
            ProgressHandler.setHandler(
                c,
                1,
                new ProgressHandler() {
                  @Override
                  protected int progress() {
                    steps.incrementAndGet();
                    return 0;
                  }
                });
            return c;
          }
        };
    counting.setUrl(url);
    ExecutionStore measured = new ExecutionStore(new Catalog(Database.of(url, counting)));
    long small = cost(measured, steps);
    assertThat(small).isPositive();

    try (Connection c = store.catalog().database().connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ex =
              c.prepareStatement(
                  "INSERT INTO executions (id, workflow, input, input_key, status, "
                      + "trigger_source, started_at, ended_at, deadline, next_step, state, stop_requested) "
                      + "VALUES (?, 'daily', '{}', ?, 'SUCCEEDED', 'test', ?, ?, ?, 2, '{}', 0)");
          PreparedStatement ev =
              c.prepareStatement(
                  "INSERT INTO execution_events (execution_id, seq, at, type, step) VALUES (?, ?, ?, ?, 'etl')");
          PreparedStatement run =
              c.prepareStatement(
                  "INSERT INTO etl_runs (run_id, mode, started_at, status, "
                      + "days_processed, days_skipped, files_read, rows_written, rejected, bytes_read) "
                      + "VALUES (?, 'daily', ?, 'SUCCEEDED', 1, 0, 1, 10, 0, 1)")) {
        for (int i = 0; i < 200_000; i++) {
          String id = "bulk-" + i;
          String at = T0.plusSeconds(i).toString();
          ex.setString(1, id);
          ex.setString(2, id);
          ex.setString(3, at);
          ex.setString(4, at);
          ex.setString(5, at);
          ex.addBatch();
          String[] types = {"EXECUTION_STARTED", "STEP_STARTED", "STEP_SUCCEEDED"};
          for (int s = 0; s < types.length; s++) {
            ev.setString(1, id);
            ev.setInt(2, s + 1);
            ev.setString(3, at);
            ev.setString(4, types[s]);
            ev.addBatch();
          }
          run.setString(1, id);
          run.setString(2, at);
          run.addBatch();
          if (i % 10_000 == 9_999) {
            ex.executeBatch();
            ev.executeBatch();
            run.executeBatch();
          }
        }
      }
      c.commit();
    }
    assertThat(store.catalog().database().rows("execution_events")).isGreaterThanOrEqualTo(600_000);

    assertThat(cost(measured, steps)).isEqualTo(small);
  }

  private String url(String kind, String name) {
    return kind.equals("sqlite")
        ? "jdbc:sqlite:" + tmp.resolve(name + ".db")
        : Postgres.freshDatabase();
  }

  private static long cost(ExecutionStore store, AtomicLong steps) {
    steps.set(0);
    store.statusCounts();
    store.stepTotals();
    store.catalog().etlTotals();
    return steps.get();
  }

  /**
   * Three daily executions (one succeeded, one failed, one running) and one report: a retried step
   * is timed from its last start; an end with no start counts nothing.
   */
  private static void history(ExecutionStore store) {
    var s = JSON.createObjectNode();
    store.create(execution("d1", "daily", "o"));
    store.addEvent("d1", "o", T0, ExecutionEvent.Type.STEP_STARTED, "crawl", null);
    store.advance("d1", "o", 1, s, T0.plusSeconds(2), "crawl", null);
    store.addEvent("d1", "o", T0.plusSeconds(2), ExecutionEvent.Type.STEP_STARTED, "etl", null);
    store.addEvent("d1", "o", T0.plusSeconds(30), ExecutionEvent.Type.STEP_RETRIED, "etl", null);
    store.addEvent("d1", "o", T0.plusSeconds(40), ExecutionEvent.Type.STEP_STARTED, "etl", null);
    store.advance("d1", "o", 2, s, T0.plusSeconds(100), "etl", null);
    store.finish(
        "d1",
        "o",
        ExecutionStatus.SUCCEEDED,
        s,
        null,
        T0.plusSeconds(100),
        ExecutionEvent.Type.EXECUTION_SUCCEEDED,
        null,
        null);

    store.create(execution("d2", "daily", "o"));
    store.addEvent("d2", "o", T0, ExecutionEvent.Type.STEP_STARTED, "crawl", null);
    store.advance("d2", "o", 1, s, T0.plusSeconds(3), "crawl", null);
    store.addEvent("d2", "o", T0.plusSeconds(3), ExecutionEvent.Type.STEP_STARTED, "etl", null);
    store.finish(
        "d2",
        "o",
        ExecutionStatus.FAILED,
        null,
        "boom",
        T0.plusMillis(20_500),
        ExecutionEvent.Type.STEP_FAILED,
        "etl",
        "boom");

    store.create(execution("d3", "daily", "o"));
    store.addEvent("d3", "o", T0, ExecutionEvent.Type.STEP_STARTED, "crawl", null);
    store.advance("d3", "o", 1, s, T0.plusSeconds(4), "crawl", null);
    store.advance("d3", "o", 1, s, T0.plusSeconds(9), "crawl", null); // a second end: no start left

    store.create(execution("r1", "report", "o"));
    store.addEvent("r1", "o", T0, ExecutionEvent.Type.STEP_STARTED, "query", null);
    store.advance("r1", "o", 1, s, T0.plusSeconds(4), "query", null);
    store.finish(
        "r1",
        "o",
        ExecutionStatus.SUCCEEDED,
        s,
        null,
        T0.plusSeconds(4),
        ExecutionEvent.Type.EXECUTION_SUCCEEDED,
        null,
        null);
  }

  private static Execution execution(String id, String workflow, String owner) {
    return new Execution(
        id,
        workflow,
        JSON.createObjectNode(),
        workflow + ":" + id,
        ExecutionStatus.RUNNING,
        "test",
        T0,
        Optional.empty(),
        T0.plus(Duration.ofHours(1)),
        0,
        JSON.createObjectNode(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(owner),
        Optional.empty(),
        false);
  }

  private static Map<String, Long> counts(ExecutionStore store) {
    Map<String, Long> out = new HashMap<>();
    store.statusCounts().forEach(c -> out.put(c.workflow() + "/" + c.status(), c.executions()));
    return out;
  }

  private static Map<String, String> steps(ExecutionStore store) {
    Map<String, String> out = new HashMap<>();
    store
        .stepTotals()
        .forEach(
            t ->
                out.put(
                    t.workflow() + "/" + t.step(),
                    t.finished() + " in " + String.format(Locale.ROOT, "%.1f", t.seconds()) + "s"));
    return out;
  }

  private static void copy(Catalog from, Connection to, String table) throws SQLException {
    List<List<Object>> rows =
        from.query(
            "SELECT * FROM " + table,
            rs -> {
              List<Object> row = new ArrayList<>();
              for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.add(rs.getObject(i));
              }
              return row;
            });
    for (List<Object> row : rows) {
      Catalog.exec(
          to,
          "INSERT INTO " + table + " VALUES (" + "?, ".repeat(row.size() - 1) + "?)",
          row.toArray());
    }
  }
}
