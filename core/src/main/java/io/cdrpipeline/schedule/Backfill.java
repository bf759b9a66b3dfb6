package io.cdrpipeline.schedule;

import io.cdrpipeline.notify.Delivery;
import io.cdrpipeline.notify.Notification;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Workflows;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catches up missed days: the daily workflow for each day of a bounded window that has raw data but
 * is neither committed from it nor done by a successful daily execution, oldest first, with one
 * summary notification of them all.
 */
final class Backfill {
  private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);

  private final ScheduleRunner runner;
  private final Executor executor;
  private final ExecutionStore store;
  private final Clock clock;
  private final Consumer<String> log;

  Backfill(ScheduleRunner runner, Executor executor, Clock clock, Consumer<String> log) {
    this.runner = runner;
    this.executor = executor;
    this.store = executor.store();
    this.clock = clock;
    this.log = log;
  }

  /**
   * Starts the daily workflow, oldest first, for every day of the last {@code window} days before
   * today that has raw data (as crawled) but neither a successful daily execution nor a commit from
   * its current raw files. The executions send no notification each ({@link
   * Executor#BURST_TRIGGER}); one summary of them all is published at the end. Returns the days
   * started.
   */
  List<LocalDate> run(int window, ScheduleRunner.BackfillDays days) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    LocalDate first = today.minusDays(window);
    var done = store.succeededKeys(Workflows.DAILY);
    List<LocalDate> todo = new ArrayList<>();
    int older = 0;
    int current = 0;
    for (LocalDate d : new TreeSet<>(days.withRawData())) {
      if (!d.isBefore(today) || done.contains(Workflows.DAILY + ":" + d)) {
        continue;
      }
      if (d.isBefore(first)) {
        older++;
        continue;
      }
      boolean upToDate;
      try {
        upToDate = days.upToDate(d);
      } catch (IOException | RuntimeException e) {
        LOG.info(
            "backfill: cannot tell whether {} is committed from its raw files ({}): running it",
            d,
            e.getMessage());
        upToDate = false;
      }
      if (upToDate) {
        current++;
      } else {
        todo.add(d);
      }
    }
    if (older > 0) {
      log.accept(
          "backfill: "
              + older
              + (older == 1 ? " day" : " days")
              + " with raw data before "
              + first
              + " left alone (backfillDays is "
              + window
              + "; 'cdr etl --full' or 'cdr start full' processes every day)");
    }
    if (current > 0) {
      log.accept(
          "backfill: "
              + current
              + (current == 1
                  ? " day is committed from its raw files"
                  : " days are committed from their raw files")
              + " as they are now: not run again");
    }
    List<Execution> ran = new ArrayList<>();
    for (LocalDate d : todo) {
      log.accept("backfill: daily " + d);
      runner
          .startAndRun(
              Workflows.DAILY, Workflows.input("Date", d.toString()), Executor.BURST_TRIGGER)
          .ifPresent(ran::add);
    }
    if (!ran.isEmpty()) {
      notifySummary(ran);
    }
    return todo;
  }

  /** The one notification of a backfill: how each of its executions ended. */
  private void notifySummary(List<Execution> ran) {
    long failed = ran.stream().filter(e -> e.status() != ExecutionStatus.SUCCEEDED).count();
    String span =
        ran.get(0).input().path("Date").asText()
            + (ran.size() == 1
                ? ""
                : " to " + ran.get(ran.size() - 1).input().path("Date").asText());
    StringBuilder text =
        new StringBuilder(
                failed == 0 ? "CDR Processing Complete: " : Workflows.ERROR_SUBJECT + ": ")
            .append("backfill of ")
            .append(ran.size())
            .append(ran.size() == 1 ? " day" : " days")
            .append(", ")
            .append(span)
            .append(": ")
            .append(ran.size() - failed)
            .append(" succeeded, ")
            .append(failed)
            .append(" failed");
    for (Execution e : ran) {
      text.append('\n').append(e.input().path("Date").asText()).append(' ').append(e.status());
      if (e.status() == ExecutionStatus.SUCCEEDED) {
        text.append(
            String.format(
                ", %,d rows", e.output().map(o -> o.path("rowsWritten").asLong()).orElse(0L)));
      }
      e.error().ifPresent(err -> text.append(": ").append(err));
      text.append(" (").append(e.id()).append(')');
    }
    Notification n =
        new Notification(
            failed == 0 ? Workflows.SUCCESS_SUBJECT : Workflows.ERROR_SUBJECT,
            text.toString(),
            "backfill " + span,
            Workflows.DAILY,
            failed == 0 ? "SUCCEEDED" : "FAILED",
            Optional.empty());
    for (Delivery d : executor.publish(n)) {
      log.accept(
          "backfill: summary notification "
              + (d.delivered()
                  ? "sent to " + d.subscriber()
                  : "not delivered to "
                      + d.subscriber()
                      + ": "
                      + d.error().orElse("failed")
                      + " after "
                      + d.attempts()
                      + " attempts"));
    }
  }
}
