package io.cdrpipeline.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.testing.Postgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The firings in the catalog, on SQLite and on PostgreSQL (migration V10). */
class AlarmStoreTest {
  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-02T00:00:00Z");
  static final Instant T2 = Instant.parse("2026-11-03T00:00:00Z");

  @TempDir Path tmp;

  Database open(String kind) {
    return Database.open(
        kind.equals("sqlite")
            ? "jdbc:sqlite:" + tmp.resolve("catalog.db")
            : Postgres.freshDatabase());
  }

  static Evidence evidence(String v) {
    return new Evidence(
        "SELECT 1",
        List.of("connector", "calls", "rate"),
        List.of(java.util.Arrays.asList(v, 3L, 0.5)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void oneOpenFiringPerAlarmUpdatedWhileFiringResolvedOnce(String kind) {
    AlarmStore s = new AlarmStore(open(kind));
    AlarmDefinition a = AlarmDefinition.of("x", AlarmRule.WANGIRI);
    assertThat(s.fire(a, T0, T1, List.of("vc1"), evidence("vc1"), T1))
        .isEqualTo(AlarmStore.Change.FIRED);
    assertThat(s.fire(a, T1, T2, List.of("vc2"), evidence("vc2"), T2))
        .isEqualTo(AlarmStore.Change.STILL_FIRING);
    AlarmFiring open = s.open("x").orElseThrow();
    assertThat(open.windowFrom()).isEqualTo(T1);
    assertThat(open.connectors()).containsExactly("vc2");
    assertThat(open.evidence().rows().get(0)).containsExactly("vc2", 3L, 0.5);
    assertThat(open.firedAt()).isEqualTo(T1);
    // an older window neither changes nor resolves it
    assertThat(s.fire(a, T0, T1, List.of("vc1"), evidence("vc1"), T2))
        .isEqualTo(AlarmStore.Change.STILL_FIRING);
    assertThat(s.clear(a, T1, T2)).isEqualTo(AlarmStore.Change.STILL_FIRING);
    assertThat(s.open("x").orElseThrow().connectors()).containsExactly("vc2");
    assertThat(s.clear(a, T2, T2)).isEqualTo(AlarmStore.Change.RESOLVED);
    assertThat(s.clear(a, T2, T2)).isEqualTo(AlarmStore.Change.QUIET);
    assertThat(s.get(open.id()).orElseThrow().state()).isEqualTo(AlarmFiring.State.RESOLVED);
    assertThat(s.fire(a, T1, T2, List.of(), evidence("vc3"), T2))
        .isEqualTo(AlarmStore.Change.FIRED);
    assertThat(s.list(Optional.empty(), 10)).hasSize(2);
    assertThat(s.list(Optional.of(AlarmFiring.State.FIRING), 10)).hasSize(1);
    assertThat(s.list(Optional.of(AlarmFiring.State.RESOLVED), 10))
        .extracting(AlarmFiring::id)
        .containsExactly(open.id());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void evaluatorsAtOnceOpenOneFiring(String kind) throws Exception {
    Database db = open(kind);
    AlarmDefinition a = AlarmDefinition.of("y", AlarmRule.IRSF);
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Callable<AlarmStore.Change>> tasks =
          java.util.stream.IntStream.range(0, n)
              .<Callable<AlarmStore.Change>>mapToObj(
                  i -> () -> new AlarmStore(db).fire(a, T0, T1, List.of(), evidence("v"), T1))
              .toList();
      List<AlarmStore.Change> changes = new java.util.ArrayList<>();
      for (Future<AlarmStore.Change> f : pool.invokeAll(tasks)) {
        changes.add(f.get());
      }
      assertThat(changes).containsOnlyOnce(AlarmStore.Change.FIRED);
      assertThat(new AlarmStore(db).list(Optional.empty(), 10)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
