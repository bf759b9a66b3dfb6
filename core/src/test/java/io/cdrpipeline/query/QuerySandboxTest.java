package io.cdrpipeline.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.testing.FileTree;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.QueryAttacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdr query} runs one read-only statement and DuckDB keeps it confined: every statement a
 * hostile user tried is refused with one line, and nothing on disk or in the catalog changes.
 */
class QuerySandboxTest {
  static final LocalDate DAY = LocalDate.of(2026, 11, 2);

  @TempDir Path tmp;
  Pipeline p;
  Path parquet;

  @BeforeEach
  void aProcessedDayWithQuarantineASecretAndAConfig() throws Exception {
    p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(DAY, 200, 2, 5, 3, null);
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    p.etl().runDay(DAY, 2);
    LinkSigner.fromStateDir(p.config.stateDir());
    Files.writeString(tmp.resolve("cdr.yaml"), "stateDir: data/state\n");
    parquet = p.file(p.catalog.processedDay(DAY).orElseThrow().files().get(0).key());
  }

  /** Every statement of the attack reports, and the older list of what must never run. */
  List<String> attacks() {
    return QueryAttacks.statements(
        tmp, p.config.stateDir(), p.processed.localPath("").orElseThrow(), parquet);
  }

  @Test
  void everyAttackIsRefusedWithOneLineAndNothingChanges() throws Exception {
    Path cwd = Path.of("").toAbsolutePath();
    Map<String, String> before = FileTree.snapshot(tmp, "catalog.db");
    Map<String, String> cwdBefore = FileTree.listing(cwd);
    String catalogBefore = FileTree.dump(p.catalog);
    List<String> ran = new ArrayList<>();
    for (String sql : attacks()) {
      try (QueryEngine q = p.query()) {
        q.query(sql);
        ran.add(sql);
      } catch (QueryException e) {
        assertThat(e.getMessage()).as(sql).isNotBlank().doesNotContain("\n");
      }
    }
    assertThat(ran).as("statements that ran").isEmpty();
    assertThat(FileTree.snapshot(tmp, "catalog.db")).isEqualTo(before);
    assertThat(FileTree.listing(cwd)).isEqualTo(cwdBefore);
    assertThat(FileTree.dump(p.catalog)).isEqualTo(catalogBefore);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(200);
  }

  @Test
  void readOnlyStatementsOfEveryShapeRun() {
    assertThat(p.count("SELECT count(*) FROM cdrs.processed_cdrs")).isEqualTo(200);
    assertThat(p.count("WITH c AS (SELECT * FROM processed_cdrs) SELECT count(*) FROM c"))
        .isEqualTo(200);
    assertThat(p.count("FROM processed_cdrs SELECT count(*)")).isEqualTo(200);
    assertThat(p.count("SELECT count(*) FROM (FROM processed_cdrs)")).isEqualTo(200);
    assertThat(p.count("SELECT count(*) FROM (TABLE processed_cdrs)")).isEqualTo(200);
    assertThat(p.count("VALUES (42)")).isEqualTo(42);
    assertThat(p.count("SELECT count(*) FROM quarantined_cdrs"))
        .isEqualTo(p.catalog.quarantine(Optional.empty()).size());
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs"))
        .isGreaterThanOrEqualTo(200);
    assertThat(p.sql("SELECT ';' AS s, 'it''s' AS t").rows()).containsExactly(List.of(";", "it's"));
    assertThat(p.sql("SELECT 1 AS one;").rows()).containsExactly(List.of(1));
    assertThat(p.sql("DESCRIBE processed_cdrs").rows().stream().map(r -> r.get(0)))
        .contains("callid", "npanxx", "year", "month", "day");
    assertThat(p.sql("DESCRIBE SELECT callid FROM processed_cdrs").rows()).hasSize(1);
    assertThat(p.sql("SHOW TABLES").rows().stream().map(r -> r.get(0)))
        .contains("processed_cdrs", "quarantined_cdrs", "amazon_chime_voice_connector_cdrs");
    assertThat(p.sql("SUMMARIZE SELECT duration FROM processed_cdrs").rows()).hasSize(1);
    assertThat(p.sql("EXPLAIN SELECT count(*) FROM processed_cdrs").rows()).isNotEmpty();
    assertThat(p.sql("explain analyze SELECT sum(duration) FROM processed_cdrs").rows().toString())
        .contains("READ_PARQUET");
    assertThat(p.sql("EXPLAIN (ANALYZE) SELECT count(*) FROM processed_cdrs").rows()).isNotEmpty();
    assertThat(
            p.sql(
                    "PIVOT (SELECT direction FROM processed_cdrs) ON direction IN ('Inbound', 'Outbound') USING count(*)")
                .columns())
        .containsExactly("Inbound", "Outbound");
    assertThatThrownBy(
            () -> p.sql("PIVOT (SELECT direction FROM processed_cdrs) ON direction USING count(*)"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("IN (");
    assertThat(p.count("SELECT count(*) FROM query_table('processed_cdrs')")).isEqualTo(200);
    assertThat(p.count("SELECT count(*) FROM query('SELECT * FROM processed_cdrs WHERE day = 2')"))
        .isEqualTo(200);
  }

  @Test
  void badSqlIsOneLineFromDuckDbsOwnParser() {
    assertThatThrownBy(() -> p.sql("SELEC 1"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("syntax error")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> p.sql("SELECT * FROM nowhere"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("nowhere")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> p.sql(""))
        .isInstanceOf(QueryException.class)
        .hasMessage("empty query");
    assertThatThrownBy(() -> p.sql("SELECT 1; SELECT 2"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("one statement");
    assertThatThrownBy(() -> p.sql("COPY processed_cdrs TO 'x.csv'"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("read-only");
  }

  @Test
  void aQueryOverItsTimeLimitIsStoppedWithOneLine() {
    try (QueryEngine q = p.query(QueryLimits.DEFAULTS.withTimeout(Duration.ofSeconds(1)))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () -> q.query("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3"))
          .isInstanceOf(QueryException.class)
          .hasMessage("the query took longer than 1s and was stopped (query.timeout)");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
      assertThat(q.query("SELECT 1 AS one").rows())
          .containsExactly(List.of(1)); // the engine still works
    }
  }

  @Test
  void temporaryFilesAreBoundedByMaxTempSize() {
    QueryLimits tight = new QueryLimits(Duration.ofMinutes(5), 32L << 20, 1L << 20);
    try (QueryEngine q = p.query(tight)) {
      assertThatThrownBy(() -> q.query(SPILLING_SORT))
          .isInstanceOf(QueryException.class)
          .satisfies(
              e -> assertThat(e.getMessage()).doesNotContain("\n").contains("query.maxTempSize"));
    }
  }

  static final String SPILLING_SORT =
      "SELECT count(*), min(h), max(h) FROM (SELECT i, md5(i::VARCHAR) AS h FROM range(5000000) t(i) ORDER BY h)";

  @Test
  void twoSpillingQueriesAtOnceEachUseTheirOwnFolderAndBothSucceed() throws Exception {
    QueryLimits small = new QueryLimits(Duration.ofMinutes(5), 128L << 20, 10L << 30);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<QueryResult>> two = new ArrayList<>();
      // each looks at the folders while both engines are open, before either query runs
      CountDownLatch bothOpen = new CountDownLatch(2);
      CountDownLatch bothLooked = new CountDownLatch(2);
      List<List<Path>> seen = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 2; i++) {
        two.add(
            () -> {
              try (QueryEngine q = p.query(small)) {
                bothOpen.countDown();
                assertThat(bothOpen.await(2, TimeUnit.MINUTES)).isTrue();
                seen.add(scratchFolders());
                bothLooked.countDown();
                assertThat(bothLooked.await(2, TimeUnit.MINUTES)).isTrue();
                return q.query(SPILLING_SORT);
              }
            });
      }
      List<Future<QueryResult>> results = pool.invokeAll(two);
      for (Future<QueryResult> r : results) {
        assertThat(((Number) r.get().rows().get(0).get(0)).longValue()).isEqualTo(5_000_000L);
      }
      assertThat(seen)
          .hasSize(2)
          .allSatisfy(folders -> assertThat(folders).as("a folder of each engine").hasSize(2));
    } finally {
      pool.shutdownNow();
    }
    assertThat(scratchFolders()).as("each engine removes its folder").isEmpty();
  }

  List<Path> scratchFolders() throws Exception {
    Path tmpRoot = p.config.stateDir().resolve("tmp");
    if (!Files.isDirectory(tmpRoot)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tmpRoot)) {
      return s.filter(f -> f.getFileName().toString().startsWith("query-") && Files.isDirectory(f))
          .toList();
    }
  }

  @Test
  void theFolderOfAKilledQueryIsRemovedAtTheNextStartButNotThatOfALiveOne() throws Exception {
    Process child = QueryChild.start(tmp, SPILLING_SORT.replace("5000000", "300000000"), "128MB");
    try {
      Path folder = QueryChild.awaitSpilling(p.config.stateDir().resolve("tmp"), child);
      try (QueryEngine q = p.query()) {
        assertThat(Files.isDirectory(folder)).as("a live engine's folder stays").isTrue();
      }
      child.destroyForcibly().waitFor();
      assertThat(Files.isDirectory(folder)).as("kill -9 leaves it").isTrue();
      try (QueryEngine q = p.query()) {
        assertThat(Files.exists(folder)).as("removed at the next start").isFalse();
      }
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void theSharedSpillFolderOfOlderVersionsIsRemoved() throws Exception {
    Path legacy = p.config.stateDir().resolve("tmp/query");
    Files.createDirectories(legacy);
    Files.write(legacy.resolve("duckdb_temp_storage_S128K-0.tmp"), new byte[4096]);
    try (QueryEngine q = p.query()) {
      assertThat(legacy).doesNotExist();
    }
  }
}
