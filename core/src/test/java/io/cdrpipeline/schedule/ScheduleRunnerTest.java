package io.cdrpipeline.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.testing.MutableClock;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.Postgres;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Workflows;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleRunnerTest {
  @TempDir Path tmp;

  static Executor executor(Catalog catalog, Clock clock) {
    var actions = new io.cdrpipeline.workflow.TestActions();
    Topic topic =
        Topic.of(List.of(), new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1)));
    return new Executor(
        new ExecutionStore(catalog),
        Workflows.definitions(
            actions, topic, Workflows.Timeouts.defaults(), Duration.ofHours(1), clock),
        topic,
        clock,
        new Executor.Settings(
            Duration.ofMillis(100), Duration.ofSeconds(30), 1, Duration.ofMillis(1)));
  }

  @Test
  void aScheduleMissedWhileDownRunsOnceAtStart() {
    Pipeline p = new Pipeline(tmp);
    MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
    List<ScheduleRunner.Entry> entries =
        List.of(
            new ScheduleRunner.Entry("daily", ScheduleExpression.parse("cron(0 9 * * ? *)")),
            new ScheduleRunner.Entry(
                "monthlyReport", ScheduleExpression.parse("cron(0 12 2 * ? *)")));
    try (Executor ex = executor(p.catalog, clock)) {
      ScheduleRunner first = new ScheduleRunner(ex, entries, clock, p.database, s -> {});
      first.catchUp(); // a new deployment: nothing missed
      assertThat(ex.store().list(Optional.empty(), Optional.empty(), 100)).isEmpty();

      clock.set(Instant.parse("2026-12-05T08:00:00Z")); // down for two weeks
      List<String> lines = new CopyOnWriteArrayList<>();
      new ScheduleRunner(ex, entries, clock, p.database, lines::add).catchUp();
      List<Execution> runs = ex.store().list(Optional.empty(), Optional.empty(), 100);
      assertThat(runs).hasSize(2);
      assertThat(runs)
          .extracting(e -> e.workflow() + " " + e.input())
          .containsExactlyInAnyOrder(
              "daily {\"Date\":\"2026-12-03\"}", "report {\"Month\":\"2026-11\"}");
      assertThat(runs).allMatch(e -> e.status() == ExecutionStatus.SUCCEEDED);
      assertThat(lines).anyMatch(l -> l.contains("missed"));

      // started again at once: nothing new is missed
      new ScheduleRunner(ex, entries, clock, p.database, s -> {}).catchUp();
      assertThat(ex.store().list(Optional.empty(), Optional.empty(), 100)).hasSize(2);
    }
  }

  /**
   * The days a backfill is told about: those with raw data, and those committed from them already.
   */
  static ScheduleRunner.BackfillDays days(List<LocalDate> withRawData, Set<LocalDate> upToDate) {
    return new ScheduleRunner.BackfillDays() {
      @Override
      public List<LocalDate> withRawData() {
        return withRawData;
      }

      @Override
      public boolean upToDate(LocalDate day) {
        return upToDate.contains(day);
      }
    };
  }

  @Test
  void daysOfTheWindowWithRawDataThatNeitherADailyRunNorACommitCoversAreBackfilledOldestFirst() {
    Pipeline p = new Pipeline(tmp);
    MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    try (Executor ex = executor(p.catalog, clock)) {
      Execution done =
          ex.start(Workflows.DAILY, Workflows.input("Date", "2026-11-26"), "test", true);
      ex.run(done.id(), null);
      List<String> lines = new CopyOnWriteArrayList<>();
      ScheduleRunner runner =
          new ScheduleRunner(
              ex,
              List.of(
                  new ScheduleRunner.Entry("daily", ScheduleExpression.parse("cron(0 9 * * ? *)"))),
              clock,
              p.database,
              lines::add);
      List<LocalDate> raw =
          List.of(
              LocalDate.parse("2026-11-28"),
              LocalDate.parse("2026-11-25"),
              LocalDate.parse("2026-11-26"),
              LocalDate.parse("2026-11-30"),
              LocalDate.parse("2026-11-27"),
              LocalDate.parse("2026-11-22"),
              LocalDate.parse("2026-11-23"));
      // 11-27 is committed from its raw files already (by the full ETL, say); 11-22 is before the 7
      // days' window
      List<LocalDate> started =
          runner.backfill(7, days(raw, Set.of(LocalDate.parse("2026-11-27"))));
      assertThat(started)
          .containsExactly(
              LocalDate.parse("2026-11-23"),
              LocalDate.parse("2026-11-25"),
              LocalDate.parse("2026-11-28"));
      List<Execution> runs =
          ex.store()
              .list(Optional.of(Workflows.DAILY), Optional.of(ExecutionStatus.SUCCEEDED), 100);
      assertThat(runs)
          .extracting(e -> e.input().get("Date").asText())
          .containsExactlyInAnyOrder("2026-11-23", "2026-11-25", "2026-11-26", "2026-11-28");
      assertThat(runs)
          .filteredOn(e -> !e.id().equals(done.id()))
          .allMatch(e -> e.trigger().equals(Executor.BURST_TRIGGER));
      assertThat(lines)
          .contains(
              "backfill: 1 day with raw data before 2026-11-23 left alone (backfillDays is 7; "
                  + "'cdr etl --full' or 'cdr start full' processes every day)",
              "backfill: 1 day is committed from its raw files as they are now: not run again");
      assertThat(runner.backfill(7, days(List.of(LocalDate.parse("2026-11-25")), Set.of())))
          .isEmpty();
    }
  }

  @Test
  void aSecondsLevelScheduleFiresThroughQuartz() throws Exception {
    Pipeline p = new Pipeline(tmp);
    Clock clock = Clock.systemUTC();
    try (Executor ex = executor(p.catalog, clock);
        ScheduleRunner runner =
            new ScheduleRunner(
                ex,
                List.of(
                    new ScheduleRunner.Entry("full", ScheduleExpression.parse("rate(1 seconds)"))),
                clock,
                p.database,
                s -> {})) {
      runner.start();
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (ex.store()
                  .list(Optional.of(Workflows.FULL), Optional.of(ExecutionStatus.SUCCEEDED), 10)
                  .size()
              < 2
          && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      List<Execution> runs = ex.store().list(Optional.of(Workflows.FULL), Optional.empty(), 100);
      assertThat(runs.stream().filter(e -> e.status() == ExecutionStatus.SUCCEEDED).count())
          .isGreaterThanOrEqualTo(2);
      assertThat(runs).allMatch(e -> e.trigger().startsWith("schedule:full@"));
    }
  }

  @Test
  void twoInstancesOnPostgresShareTheScheduleAndNeverRunAFireTwice() throws Exception {
    String url = Postgres.freshDatabase();
    Database db = Database.open(url);
    Clock clock = Clock.systemUTC();
    String every = "rate(1 seconds)";
    Process other = ScheduleChild.start(url, every); // the second instance, in its own JVM
    try (Executor ex = executor(new Catalog(db), clock);
        ScheduleRunner mine =
            new ScheduleRunner(
                ex,
                List.of(new ScheduleRunner.Entry("full", ScheduleExpression.parse(every))),
                clock,
                db,
                s -> {})) {
      try (var in = new BufferedReader(new InputStreamReader(other.getInputStream()))) {
        String line;
        while ((line = in.readLine()) != null && !line.equals("started")) {
          // the child's start-up lines
        }
        assertThat(line).isEqualTo("started");
        mine.start();
        ExecutionStore store = new ExecutionStore(new Catalog(db));
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        int instances = 0;
        while (System.nanoTime() < end
            && (instances < 2
                || store
                        .list(
                            Optional.of(Workflows.FULL),
                            Optional.of(ExecutionStatus.SUCCEEDED),
                            100)
                        .size()
                    < 6)) {
          try (var c = db.connection();
              var s = c.createStatement();
              var rs =
                  s.executeQuery(
                      "SELECT count(DISTINCT instance_name) FROM qrtz_scheduler_state")) {
            rs.next();
            instances = Math.max(instances, rs.getInt(1));
          }
          Thread.sleep(100);
        }
        assertThat(instances).as("both instances joined the Quartz cluster").isEqualTo(2);
        mine.close();
        io.cdrpipeline.testing.Processes.stop(other, Duration.ofSeconds(60));
        List<Execution> runs = store.list(Optional.of(Workflows.FULL), Optional.empty(), 1000);
        assertThat(runs.size()).isGreaterThanOrEqualTo(6);
        Set<String> fires = runs.stream().map(Execution::trigger).collect(Collectors.toSet());
        assertThat(fires).hasSameSizeAs(runs); // no fire handled twice
      }
    } finally {
      other.destroyForcibly();
    }
  }
}
