package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cdrpipeline.model.Dates;
import io.cdrpipeline.notify.Delivery;
import io.cdrpipeline.notify.Notification;
import io.cdrpipeline.notify.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The three state machines of the original: {@code daily} (crawl raw new folders, ETL the date,
 * crawl processed, maintain the table, evaluate the alarms over the date, notify), {@code full}
 * (crawl everything, ETL every day, crawl processed, notify) and {@code report} (query the month
 * into CSV, make an expiring link, notify).
 */
public final class Workflows {
  public static final String DAILY = "daily";
  public static final String FULL = "full";
  public static final String REPORT = "report";
  public static final String SUCCESS_SUBJECT = "Processing CDRs Complete";

  /** The subject of the failure branch's notification (the original's). */
  public static final String ERROR_SUBJECT = "Error Processing CDRs";

  /**
   * The input key of daily and full that replaces a day although its raw files shrank beyond {@code
   * etl.maxShrink} (as {@code cdr etl --force}); a day without any raw file is never replaced.
   */
  public static final String FORCE = "Force";

  /** Total timeouts per workflow (the original: 8 h, 8 h, 3 h). */
  public record Timeouts(Duration daily, Duration full, Duration report) {
    public static Timeouts defaults() {
      return new Timeouts(Duration.ofHours(8), Duration.ofHours(8), Duration.ofHours(3));
    }
  }

  private Workflows() {}

  /** The definitions, by name. */
  public static Map<String, WorkflowDefinition> definitions(
      PipelineActions p, Topic topic, Timeouts timeouts, Duration linkExpiry, Clock clock) {
    Map<String, WorkflowDefinition> defs = new LinkedHashMap<>();
    defs.put(
        DAILY,
        new WorkflowDefinition(
            DAILY,
            List.of(
                new Step("crawl-raw", Duration.ofHours(1), c -> p.crawlRaw(false, false)),
                new Step(
                    "etl",
                    timeouts.daily(),
                    c ->
                        p.etlDay(
                            Dates.day("input Date", c.input().get("Date").asText()),
                            force(c.input()),
                            c)),
                new Step("crawl-processed", Duration.ofHours(1), c -> p.crawlProcessed(false)),
                new Step("maintain-table", Duration.ofHours(1), c -> p.maintainTable()),
                new Step(
                    "alarms",
                    Duration.ofHours(1),
                    c -> p.alarms(Dates.day("input Date", c.input().get("Date").asText()))),
                new Step(
                    "notify",
                    Duration.ofMinutes(30),
                    c ->
                        notify(
                            topic,
                            c,
                            "CDR Processing Complete: " + c.input().get("Date").asText(),
                            Optional.empty()))),
            timeouts.daily(),
            in -> {
              onlyKeys(DAILY, in, "Date", FORCE);
              String date =
                  text(in, "Date", "a date (YYYY-MM-DD)")
                      .orElse(
                          LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(1).toString());
              in.put("Date", Dates.day("input Date", date).toString());
              flag(in, FORCE);
              return in;
            },
            in -> DAILY + ":" + in.get("Date").asText(),
            // the day under the original's input key only: the etl step's own output names it
            // "date"
            state -> {
              ObjectNode out = summary(state, "etl");
              out.remove("date");
              return out.put("Date", state.path("etl").path("date").asText());
            },
            Workflows::failureNotice));

    defs.put(
        FULL,
        new WorkflowDefinition(
            FULL,
            List.of(
                new Step(
                    "crawl-raw",
                    Duration.ofHours(2),
                    c -> p.crawlRaw(true, p.hasAdditionalBucket())),
                new Step("etl", timeouts.full(), c -> p.etlFull(force(c.input()), c)),
                new Step("crawl-processed", Duration.ofHours(1), c -> p.crawlProcessed(true)),
                new Step(
                    "notify",
                    Duration.ofMinutes(30),
                    c ->
                        notify(
                            topic,
                            c,
                            "CDR Processing Complete: "
                                + days(c.state().path("etl").path("daysProcessed").asLong())
                                + " processed, "
                                + c.state().path("etl").path("daysSkipped").asLong()
                                + " unchanged",
                            Optional.empty()))),
            timeouts.full(),
            in -> {
              onlyKeys(FULL, in, FORCE);
              flag(in, FORCE);
              return in;
            },
            in -> FULL,
            state -> summary(state, "etl"),
            Workflows::failureNotice));

    defs.put(
        REPORT,
        new WorkflowDefinition(
            REPORT,
            List.of(
                new Step(
                    "query",
                    Duration.ofHours(1),
                    c -> p.report(Dates.month("input Month", c.input().get("Month").asText()))),
                new Step(
                    "link",
                    Duration.ofMinutes(5),
                    c -> {
                      ObjectNode out = c.state().objectNode();
                      out.put(
                          "link",
                          p.reportLink(
                              c.state().path("query").path("npanxxKey").asText(), linkExpiry));
                      out.put(
                          "summaryLink",
                          p.reportLink(
                              c.state().path("query").path("summaryKey").asText(), linkExpiry));
                      out.put("expiresInSeconds", linkExpiry.getSeconds());
                      return out;
                    }),
                new Step(
                    "notify",
                    Duration.ofMinutes(30),
                    c -> {
                      String link = c.state().path("link").path("link").asText();
                      return notify(
                          topic,
                          c,
                          "CDR report for " + c.input().get("Month").asText() + ": " + link,
                          Optional.of(link));
                    })),
            timeouts.report(),
            in -> {
              onlyKeys(REPORT, in, "Month");
              String month =
                  text(in, "Month", "a month (YYYY-MM)")
                      .orElse(
                          YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(1).toString());
              in.put("Month", Dates.month("input Month", month).toString());
              return in;
            },
            in -> REPORT + ":" + in.get("Month").asText(),
            state -> {
              ObjectNode out = state.path("query").deepCopy();
              out.setAll((ObjectNode) state.path("link").deepCopy());
              return out;
            },
            Workflows::failureNotice));
    return defs;
  }

  /**
   * The failure branch's notification of every workflow (the original's): its subject, then the
   * reason.
   */
  static WorkflowDefinition.Notice failureNotice(String reason) {
    return new WorkflowDefinition.Notice(ERROR_SUBJECT, ERROR_SUBJECT + ": " + reason);
  }

  /**
   * The notify step: claims the execution's notification (so it is sent once, by the process that
   * owns the execution), publishes, records each delivery on the execution, never fails.
   */
  static ObjectNode notify(Topic topic, StepContext c, String message, Optional<String> link) {
    ObjectNode out = c.state().objectNode();
    out.put("message", message);
    if (!c.notification().claim()) {
      out.put(
          "sent",
          false); // claimed before (the event says by whom), or this process lost the execution
      return out;
    }
    List<Delivery> deliveries =
        topic.publish(
            new Notification(
                SUCCESS_SUBJECT, message, c.executionId(), c.workflow(), "SUCCEEDED", link));
    ArrayNode arr = out.putArray("deliveries");
    for (Delivery d : deliveries) {
      ObjectNode o = arr.addObject();
      o.put("subscriber", d.subscriber());
      o.put("delivered", d.delivered());
      o.put("attempts", d.attempts());
      d.error().ifPresent(e -> o.put("error", e));
      c.events()
          .record(
              d.delivered()
                  ? ExecutionEvent.Type.NOTIFICATION_SENT
                  : ExecutionEvent.Type.NOTIFICATION_FAILED,
              d.subscriber()
                  + (d.delivered()
                      ? ""
                      : ": "
                          + d.error().orElse("failed")
                          + " after "
                          + d.attempts()
                          + " attempts"));
    }
    return out;
  }

  /** "1 day", "2 days". */
  private static String days(long n) {
    return n + (n == 1 ? " day" : " days");
  }

  private static ObjectNode summary(ObjectNode state, String step) {
    return state.path(step).isObject()
        ? (ObjectNode) state.path(step).deepCopy()
        : state.objectNode();
  }

  /**
   * The text of an input field; absent means the default, anything but a non-blank string is
   * refused.
   */
  private static Optional<String> text(ObjectNode in, String field, String what) {
    JsonNode n = in.get(field);
    if (n == null) {
      return Optional.empty();
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      throw new IllegalArgumentException(
          "input "
              + field
              + ": expected "
              + what
              + " as a string, got "
              + n
              + " (leave the key out for the default)");
    }
    return Optional.of(n.asText().trim());
  }

  /**
   * {@code "Force": true} in the input of daily or full: replace a day even when it shrinks beyond
   * {@code etl.maxShrink}.
   */
  private static boolean force(ObjectNode input) {
    return input.path(FORCE).asBoolean(false);
  }

  /**
   * A flag of the input: absent means false, anything but {@code true} or {@code false} is refused.
   */
  private static void flag(ObjectNode in, String field) {
    JsonNode n = in.get(field);
    if (n != null && !n.isBoolean()) {
      throw new IllegalArgumentException(
          "input "
              + field
              + ": expected true or false, got "
              + n
              + " (leave the key out for false)");
    }
  }

  /**
   * Refuses keys a workflow does not take: a misspelt or miscased key would otherwise be ignored,
   * and the default (yesterday, last month) run instead.
   */
  private static void onlyKeys(String workflow, ObjectNode in, String... allowed) {
    List<String> keys = List.of(allowed);
    for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!keys.contains(k)) {
        String hint =
            keys.stream()
                .filter(a -> a.equalsIgnoreCase(k))
                .findFirst()
                .map(a -> " (did you mean \"" + a + "\"? keys are case-sensitive)")
                .orElse("");
        throw new IllegalArgumentException(
            "input of "
                + workflow
                + ": unknown key "
                + TextNode.valueOf(k)
                + hint
                + "; allowed keys: "
                + (keys.isEmpty() ? "none (the input is {})" : String.join(", ", keys)));
      }
    }
  }

  /** Builds an input object from one field, e.g. {@code {"Date":"2026-11-27"}}. */
  public static ObjectNode input(String field, String value) {
    ObjectNode in = ExecutionStore.JSON.createObjectNode();
    if (value != null) {
      in.put(field, value);
    }
    return in;
  }
}
