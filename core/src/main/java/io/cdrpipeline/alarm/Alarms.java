package io.cdrpipeline.alarm;

import io.cdrpipeline.failure.FailureText;
import io.cdrpipeline.notify.Delivery;
import io.cdrpipeline.notify.Notification;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.query.QueryResult;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the configured alarms over a window: runs each rule's query ({@link RuleQueries})
 * through the product's query engine, records a firing (or the end of one) in the catalog ({@link
 * AlarmStore}) and tells the alarm's subscribers once on each change: when it starts firing and
 * when it resolves. Called after every daily ETL (over the day) and by {@code cdr watch} after each
 * batch.
 */
public final class Alarms {
  private static final Logger LOG = LoggerFactory.getLogger(Alarms.class);

  /** The workflow name notifications of alarms carry. */
  public static final String WORKFLOW = "alarm";

  /** Opens a query engine for one evaluation; the caller of {@link #evaluate} closes nothing. */
  @FunctionalInterface
  public interface Engines {
    QueryEngine open() throws IOException;
  }

  /** Makes the topic of an alarm's subscribers. */
  @FunctionalInterface
  public interface Topics {
    Topic of(AlarmDefinition alarm);

    /** A topic with one notifier per subscriber, retried as the workflows' notifications are. */
    static Topics standard() {
      return a -> Topic.of(a.subscribers(), RetryPolicy.defaults());
    }
  }

  /** What one evaluation of one alarm found. */
  public record Outcome(
      String alarm,
      String rule,
      Instant from,
      Instant to,
      AlarmStore.Change change,
      Optional<AlarmFiring> firing,
      Optional<String> error,
      List<Delivery> deliveries) {}

  private final List<AlarmDefinition> alarms;
  private final AlarmStore store;
  private final Engines engines;
  private final Topics topics;
  private final Clock clock;

  public Alarms(
      List<AlarmDefinition> alarms, AlarmStore store, Engines engines, Topics topics, Clock clock) {
    this.alarms = List.copyOf(alarms);
    this.store = Objects.requireNonNull(store, "store");
    this.engines = Objects.requireNonNull(engines, "engines");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The configured alarms. */
  public List<AlarmDefinition> definitions() {
    return alarms;
  }

  /** The firings of the catalog. */
  public AlarmStore store() {
    return store;
  }

  /**
   * Evaluates every alarm over each day (its whole UTC day as the window; today up to now, a day to
   * come not at all), in date order: what the daily ETL calls for the day it processed, and {@code
   * cdr watch} for the days a batch appended to.
   */
  public List<Outcome> evaluate(Collection<LocalDate> days) {
    List<Outcome> out = new ArrayList<>();
    Instant now = clock.instant();
    for (LocalDate d : new TreeSet<>(days)) {
      Instant from = d.atStartOfDay(ZoneOffset.UTC).toInstant();
      Instant end = d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      // today (a watch batch) only up to now: the hours still to come are not silent
      Instant to = end.isAfter(now) ? now : end;
      if (to.isAfter(from)) {
        out.addAll(evaluate(from, to));
      }
    }
    return out;
  }

  /** Evaluates every alarm over the window {@code [from, to)}. */
  public List<Outcome> evaluate(Instant from, Instant to) {
    List<Outcome> out = new ArrayList<>();
    if (alarms.isEmpty()) {
      return out;
    }
    try (QueryEngine q = engines.open()) {
      for (AlarmDefinition a : alarms) {
        out.add(evaluate(q, a, from, to));
      }
    } catch (IOException | RuntimeException e) {
      String why = FailureText.firstLine(e.getMessage());
      LOG.warn("Alarms not evaluated over {} to {}: {}", from, to, why);
      for (AlarmDefinition a : alarms) {
        if (out.stream().noneMatch(o -> o.alarm().equals(a.name()))) {
          out.add(
              new Outcome(
                  a.name(),
                  a.rule().id(),
                  from,
                  to,
                  AlarmStore.Change.QUIET,
                  Optional.empty(),
                  Optional.of(why),
                  List.of()));
        }
      }
    }
    return out;
  }

  private Outcome evaluate(QueryEngine q, AlarmDefinition a, Instant from, Instant to) {
    Evidence e;
    try {
      e = run(q, a, from, to);
    } catch (RuntimeException ex) {
      // one alarm's failure (a bad connector list, a query stopped at its limit) leaves the others
      String why = FailureText.firstLine(ex.getMessage());
      LOG.warn("Alarm {} ({}) not evaluated: {}", a.name(), a.rule().id(), why);
      return new Outcome(
          a.name(),
          a.rule().id(),
          from,
          to,
          AlarmStore.Change.QUIET,
          Optional.empty(),
          Optional.of(why),
          List.of());
    }
    Instant now = clock.instant();
    if (e.fires()) {
      AlarmStore.Change change = store.fire(a, from, to, connectors(a, e), e, now);
      Optional<AlarmFiring> firing = store.open(a.name());
      List<Delivery> told =
          change == AlarmStore.Change.FIRED && firing.isPresent()
              ? tell(a, firing.get(), true)
              : List.of();
      return new Outcome(a.name(), a.rule().id(), from, to, change, firing, Optional.empty(), told);
    }
    Optional<AlarmFiring> open = store.open(a.name());
    AlarmStore.Change change = store.clear(a, to, now);
    Optional<AlarmFiring> resolved = open.flatMap(f -> store.get(f.id()));
    List<Delivery> told =
        change == AlarmStore.Change.RESOLVED && resolved.isPresent()
            ? tell(a, resolved.get(), false)
            : List.of();
    return new Outcome(a.name(), a.rule().id(), from, to, change, resolved, Optional.empty(), told);
  }

  /**
   * What the daily workflow's alarms step reports: how many alarms were evaluated, those firing,
   * those that started firing or resolved, and those that could not be evaluated with why.
   */
  public static com.fasterxml.jackson.databind.node.ObjectNode summary(List<Outcome> outcomes) {
    com.fasterxml.jackson.databind.node.ObjectNode o = AlarmStore.JSON.createObjectNode();
    o.put("alarms", outcomes.stream().map(Outcome::alarm).distinct().count());
    var firing = o.putArray("firing");
    var fired = o.putArray("fired");
    var resolved = o.putArray("resolved");
    var errors = o.putObject("errors");
    for (Outcome x : outcomes) {
      switch (x.change()) {
        case FIRED -> {
          fired.add(x.alarm());
          firing.add(x.alarm());
        }
        case STILL_FIRING -> firing.add(x.alarm());
        case RESOLVED -> resolved.add(x.alarm());
        case QUIET -> {}
      }
      x.error().ifPresent(e -> errors.put(x.alarm(), e));
    }
    return o;
  }

  /**
   * Runs an alarm's rule over a window and returns what it found, recording and telling nothing
   * ({@code cdr alarms test}).
   */
  public static Evidence test(QueryEngine q, AlarmDefinition a, Instant from, Instant to) {
    return run(q, a, from, to);
  }

  private static Evidence run(QueryEngine q, AlarmDefinition a, Instant from, Instant to) {
    String sql = RuleQueries.sql(a, from, to);
    QueryResult r = q.query(sql);
    return new Evidence(sql, r.columns(), r.rows());
  }

  /** The connectors of the evidence's {@code connector} column, else those the alarm covers. */
  private static List<String> connectors(AlarmDefinition a, Evidence e) {
    int i = e.columns().indexOf("connector");
    if (i < 0) {
      return a.connectors();
    }
    Set<String> s = new LinkedHashSet<>();
    for (List<Object> row : e.rows()) {
      if (row.get(i) != null) {
        s.add(row.get(i).toString());
      }
    }
    return List.copyOf(s);
  }

  private List<Delivery> tell(AlarmDefinition a, AlarmFiring f, boolean firing) {
    if (a.subscribers().isEmpty()) {
      LOG.info(
          "Alarm {} ({}) {}: {}", a.name(), a.rule().id(), firing ? "fires" : "resolved", f.id());
      return List.of();
    }
    String subject =
        (firing ? "ALARM firing: " : "Alarm resolved: ") + a.name() + " (" + a.rule().id() + ")";
    StringBuilder m = new StringBuilder(subject);
    m.append("\nWindow: ").append(f.windowFrom()).append(" to ").append(f.windowTo());
    if (!f.connectors().isEmpty()) {
      m.append("\nConnectors: ").append(String.join(", ", f.connectors()));
    }
    if (firing) {
      m.append("\nEvidence: ").append(String.join(", ", f.evidence().columns()));
      f.evidence().rows().stream()
          .limit(5)
          .forEach(
              r ->
                  m.append("\n  ")
                      .append(
                          String.join(
                              ", ", r.stream().map(v -> v == null ? "" : v.toString()).toList())));
    }
    try (Topic t = topics.of(a)) {
      return t.publish(
          new Notification(
              subject,
              m.toString(),
              f.id(),
              WORKFLOW,
              firing ? AlarmFiring.State.FIRING.name() : AlarmFiring.State.RESOLVED.name(),
              Optional.empty()));
    }
  }
}
