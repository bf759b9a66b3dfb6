package io.cdrpipeline.schedule;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.workflow.AlreadyRunningException;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Workflows;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the configured schedules (the EventBridge rules of the original) with Quartz and starts
 * their workflows. A fire missed while no service ran is run once at start; days of a bounded
 * window that have raw data but are neither committed from it nor done by a successful daily
 * execution are backfilled, oldest first, with one summary notification. Each fire is taken by
 * exactly one process (a compare-and-set on the schedule's last fire time); with a PostgreSQL
 * catalog, Quartz itself runs clustered on a JDBC job store shared by every instance.
 */
public final class ScheduleRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);
  static final String DAILY = "daily";
  static final String MONTHLY_REPORT = "monthlyReport";
  static final String FULL = "full";

  /** A configured schedule: its name (daily, monthlyReport, full) and expression. */
  public record Entry(String name, ScheduleExpression expression) {
    public Entry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(expression, "expression");
      if (!List.of(DAILY, MONTHLY_REPORT, FULL).contains(name)) {
        throw new IllegalArgumentException(
            "unknown schedule '" + name + "' (daily, monthlyReport, full)");
      }
    }

    /** The workflow it starts. */
    public String workflow() {
      return name.equals(DAILY)
          ? Workflows.DAILY
          : name.equals(FULL) ? Workflows.FULL : Workflows.REPORT;
    }

    /**
     * The input for a fire: yesterday of the fire time for daily, the previous month for the
     * report.
     */
    public ObjectNode input(Instant fire) {
      LocalDate day = fire.atZone(ZoneOffset.UTC).toLocalDate();
      if (name.equals(DAILY)) {
        return Workflows.input("Date", day.minusDays(1).toString());
      }
      if (name.equals(MONTHLY_REPORT)) {
        return Workflows.input("Month", YearMonth.from(day).minusMonths(1).toString());
      }
      return Workflows.input("Date", null);
    }
  }

  private final Executor executor;
  private final ExecutionStore store;
  private final List<Entry> entries;
  private final Clock clock;
  private final Database database;
  private final Consumer<String> log;
  private final String schedulerName;

  /** The name of the product's scheduler in Quartz's tables, the same for every instance. */
  public static final String SCHEDULER_NAME = "cdr-pipeline";

  /** The rows of the product's scheduler in Quartz's tables (only a PostgreSQL catalog has any). */
  public static long schedulerRows(Database db) {
    return QuartzTables.schedulerRows(db);
  }

  /**
   * Removes the product's scheduler from Quartz's tables, and then the tables themselves if no
   * other scheduler has rows in them (another application may share them in the database).
   */
  public static void removeSchedulerState(Database db) {
    QuartzTables.removeSchedulerState(db);
  }

  private Scheduler quartz;

  /**
   * @param database the catalog database: on PostgreSQL Quartz is clustered over it
   * @param log receives a line per fire, catch-up and backfill, for the user
   */
  public ScheduleRunner(
      Executor executor,
      List<Entry> entries,
      Clock clock,
      Database database,
      Consumer<String> log) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.store = executor.store();
    this.entries = List.copyOf(entries);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.database = Objects.requireNonNull(database, "database");
    this.log = log == null ? s -> {} : log;
    this.schedulerName = SCHEDULER_NAME;
  }

  /** Runs what was missed, then starts firing. Catch-up runs in the caller's thread. */
  public void start() throws SchedulerException {
    catchUp();
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, schedulerName);
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "AUTO");
    p.setProperty("org.quartz.threadPool.threadCount", "3");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    Optional<String> delegate = database.dialect().quartzDelegate();
    if (delegate.isPresent()) {
      String ds = "cdr-" + UUID.randomUUID();
      DBConnectionManager.getInstance()
          .addConnectionProvider(
              ds,
              new ConnectionProvider() {
                @Override
                public Connection getConnection() throws SQLException {
                  return database.connection();
                }

                @Override
                public void shutdown() {}

                @Override
                public void initialize() {}
              });
      QuartzTables.create(database);
      p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
      p.setProperty("org.quartz.jobStore.driverDelegateClass", delegate.get());
      p.setProperty("org.quartz.jobStore.dataSource", ds);
      p.setProperty("org.quartz.jobStore.isClustered", "true");
      p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
      p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    } else {
      p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    }
    quartz = new StdSchedulerFactory(p).getScheduler();
    quartz.getContext().put("runner", this);
    for (Entry e : entries) {
      JobDetail job =
          JobBuilder.newJob(FireJob.class)
              .withIdentity(e.name(), "cdr")
              .usingJobData("schedule", e.name())
              .storeDurably()
              .build();
      org.quartz.ScheduleBuilder<? extends Trigger> schedule;
      if (e.expression() instanceof ScheduleExpression.Cron c) {
        schedule =
            CronScheduleBuilder.cronSchedule(c.expression())
                .withMisfireHandlingInstructionFireAndProceed();
      } else {
        schedule =
            SimpleScheduleBuilder.simpleSchedule()
                .withIntervalInMilliseconds(
                    ((ScheduleExpression.Rate) e.expression()).every().toMillis())
                .repeatForever()
                .withMisfireHandlingInstructionNextWithRemainingCount();
      }
      Trigger trigger =
          TriggerBuilder.newTrigger()
              .withIdentity(e.name(), "cdr")
              .forJob(job)
              .withSchedule(schedule)
              .startAt(Date.from(e.expression().nextAfter(clock.instant())))
              .build();
      // replace: every instance declares the same schedules; the definition in the config wins
      quartz.scheduleJob(job, Set.of(trigger), true);
      log.accept(
          "schedule "
              + e.name()
              + " "
              + e.expression().text()
              + ": next "
              + e.expression().nextAfter(clock.instant()));
    }
    quartz.start();
  }

  /**
   * For each schedule, a fire missed while no service ran (after the last one handled) runs once
   * now.
   */
  public void catchUp() {
    Instant now = clock.instant();
    for (Entry e : entries) {
      var last = store.lastFire(e.name());
      if (last.isEmpty()) {
        store.initLastFire(e.name(), now); // a new deployment has missed nothing
        continue;
      }
      Instant missed = null;
      for (Instant t = e.expression().nextAfter(last.get());
          !t.isAfter(now);
          t = e.expression().nextAfter(t)) {
        missed = t;
      }
      if (missed != null) {
        log.accept(
            "schedule " + e.name() + " missed its fire at " + missed + ": running it once now");
        fire(e, missed);
      }
    }
  }

  /** What backfill asks of the pipeline about days. */
  public interface BackfillDays {
    /** The days that have raw data (as crawled). */
    List<LocalDate> withRawData();

    /**
     * True when the day is committed from exactly its raw files as they are now, whatever committed
     * it (the full workflow, a daily run, {@code cdr etl}): it needs no run.
     */
    boolean upToDate(LocalDate day) throws IOException;
  }

  /**
   * Starts the daily workflow, oldest first, for every day of the last {@code window} days before
   * today that has raw data (as crawled) but neither a successful daily execution nor a commit from
   * its current raw files. The executions send no notification each ({@link
   * Executor#BURST_TRIGGER}); one summary of them all is published at the end. Returns the days
   * started.
   */
  public List<LocalDate> backfill(int window, BackfillDays days) {
    return new Backfill(this, executor, clock, log).run(window, days);
  }

  /** Handles one fire of a schedule, unless another process already took it. */
  void fire(Entry e, Instant fireTime) {
    if (!store.takeFire(e.name(), fireTime)) {
      LOG.info("fire {} of {} already taken by another instance", fireTime, e.name());
      return;
    }
    log.accept("schedule " + e.name() + " fired for " + fireTime);
    startAndRun(e.workflow(), e.input(fireTime), "schedule:" + e.name() + "@" + fireTime);
  }

  /**
   * Runs an execution to its end; empty when it could not start (already running, a failure to
   * start).
   */
  Optional<Execution> startAndRun(String workflow, ObjectNode input, String trigger) {
    try {
      Execution ex = executor.start(workflow, input, trigger, true);
      Execution end = executor.run(ex.id(), null);
      log.accept(
          workflow
              + " "
              + input
              + ": "
              + end.status()
              + end.error().map(err -> " (" + err + ")").orElse("")
              + " ["
              + end.id()
              + "]");
      return Optional.of(end);
    } catch (AlreadyRunningException already) {
      log.accept(workflow + " " + input + ": " + already.getMessage());
    } catch (RuntimeException ex) {
      LOG.error("could not run {} {}", workflow, input, ex);
      log.accept(workflow + " " + input + ": could not run: " + ex.getMessage());
    }
    return Optional.empty();
  }

  private Entry entry(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
  }

  /** The Quartz job: one fire of one schedule. */
  @DisallowConcurrentExecution
  public static final class FireJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      try {
        ScheduleRunner runner = (ScheduleRunner) context.getScheduler().getContext().get("runner");
        String name = context.getMergedJobDataMap().getString("schedule");
        Date scheduled = context.getScheduledFireTime();
        runner.fire(runner.entry(name), scheduled.toInstant());
      } catch (SchedulerException e) {
        LOG.error("schedule fire failed", e);
      }
    }
  }

  @Override
  public void close() {
    if (quartz != null) {
      try {
        quartz.shutdown(false);
      } catch (SchedulerException e) {
        LOG.warn("scheduler shutdown: {}", e.getMessage());
      }
    }
  }
}
