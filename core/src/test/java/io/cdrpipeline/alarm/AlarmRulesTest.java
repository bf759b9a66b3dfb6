package io.cdrpipeline.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.generate.CdrGenerator.Anomaly;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.query.QueryEngine;
import io.cdrpipeline.testing.Pipeline;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rule on a generated month: four clean weeks, then one day per injected anomaly (on the
 * first connector). Each rule fires on its anomaly and on nothing else; the clean days raise
 * nothing; a firing is recorded once, told once when it starts and once when it resolves.
 */
class AlarmRulesTest {
  static final int CALLS = 300;
  static final int CONNECTORS = 2;
  static final long SEED = 11;
  static final LocalDate FIRST = LocalDate.of(2026, 10, 1);
  static final LocalDate LAST_CLEAN = LocalDate.of(2026, 10, 28);

  /** The anomaly of each day after the clean weeks, and the rule that must catch it. */
  static final Map<LocalDate, Anomaly> ANOMALIES =
      Map.of(
          LocalDate.of(2026, 10, 29), Anomaly.FAILING_TRUNK,
          LocalDate.of(2026, 10, 30), Anomaly.ASR_ACD_DROP,
          LocalDate.of(2026, 10, 31), Anomaly.FRAUD,
          LocalDate.of(2026, 11, 1), Anomaly.WANGIRI,
          LocalDate.of(2026, 11, 2), Anomaly.SPEND_SPIKE,
          LocalDate.of(2026, 11, 3), Anomaly.SILENT);

  static final Map<Anomaly, AlarmRule> CAUGHT_BY =
      Map.of(
          Anomaly.FAILING_TRUNK, AlarmRule.FAILURE_RATE,
          Anomaly.ASR_ACD_DROP, AlarmRule.ASR_ACD_DROP,
          Anomaly.FRAUD, AlarmRule.IRSF,
          Anomaly.WANGIRI, AlarmRule.WANGIRI,
          Anomaly.SPEND_SPIKE, AlarmRule.SPEND_SPIKE,
          Anomaly.SILENT, AlarmRule.SILENT_CONNECTOR);

  @TempDir static Path tmp;
  static Pipeline pipeline;
  static String firstConnector;
  static HttpServer hooks;
  static final List<JsonNode> delivered = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void generatedMonth() throws Exception {
    pipeline = new Pipeline(tmp.resolve("pipeline"));
    CdrGenerator gen = new CdrGenerator(pipeline.cdr);
    firstConnector = CdrGenerator.connectorIds(CONNECTORS, SEED).get(0);
    LocalDate end = LocalDate.of(2026, 11, 3);
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = FIRST; !d.isAfter(end); d = d.plusDays(1)) {
      Anomaly a = ANOMALIES.get(d);
      gen.generate(d, CALLS, CONNECTORS, SEED, 0, null, a == null ? Set.of() : Set.of(a));
      days.add(d);
    }
    pipeline.etl().runDays(days, 4, false);
    hooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ObjectMapper json = new ObjectMapper();
    hooks.createContext(
        "/",
        x -> {
          try (x) {
            delivered.add(
                json.readTree(
                    new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            x.sendResponseHeaders(204, -1);
          }
        });
    hooks.start();
  }

  @AfterAll
  static void stop() {
    if (hooks != null) {
      hooks.stop(0);
    }
  }

  static List<AlarmDefinition> every(List<Subscription> subscribers) {
    List<AlarmDefinition> l = new ArrayList<>();
    for (AlarmRule r : AlarmRule.values()) {
      l.add(
          new AlarmDefinition(
              r.id(),
              r,
              Map.of(),
              r == AlarmRule.IRSF ? List.of(CdrGenerator.FRAUD_PREFIX) : List.of(),
              List.of(),
              subscribers));
    }
    return l;
  }

  static final Map<LocalDate, Map<AlarmRule, Evidence>> FIRING =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The rules that fire over a day, each with its evidence (run once a day). */
  static Map<AlarmRule, Evidence> firing(LocalDate day) {
    return FIRING.computeIfAbsent(day, AlarmRulesTest::run);
  }

  private static Map<AlarmRule, Evidence> run(LocalDate day) {
    Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Map<AlarmRule, Evidence> out = new java.util.EnumMap<>(AlarmRule.class);
    try (QueryEngine q = pipeline.query()) {
      for (AlarmDefinition a : every(List.of())) {
        Evidence e = Alarms.test(q, a, from, to);
        if (e.fires()) {
          out.put(a.rule(), e);
        }
      }
    }
    return out;
  }

  @Test
  void everyRuleFiresOnItsAnomalyAndOnNothingElse() {
    for (Map.Entry<LocalDate, Anomaly> e : new java.util.TreeMap<>(ANOMALIES).entrySet()) {
      Map<AlarmRule, Evidence> fired = firing(e.getKey());
      AlarmRule expected = CAUGHT_BY.get(e.getValue());
      assertThat(fired.keySet())
          .as("rules firing on %s (%s)", e.getKey(), e.getValue())
          .containsExactly(expected);
      Evidence ev = fired.get(expected);
      int connector = ev.columns().indexOf("connector");
      if (connector >= 0) {
        assertThat(ev.rows())
            .as("the connectors of %s", expected)
            .allSatisfy(r -> assertThat(r.get(connector)).isEqualTo(firstConnector));
      }
    }
  }

  @Test
  void evidenceNamesWhatFired() {
    Evidence fraud = firing(LocalDate.of(2026, 10, 31)).get(AlarmRule.IRSF);
    assertThat(fraud.columns()).contains("connector", "country", "reason", "calls");
    assertThat(fraud.rows()).hasSize(1);
    List<Object> row = fraud.rows().get(0);
    assertThat(row.get(fraud.columns().indexOf("country"))).isEqualTo(CdrGenerator.FRAUD_COUNTRY);
    assertThat(row.get(fraud.columns().indexOf("reason"))).isEqualTo("high-risk prefix");
    assertThat(((Number) row.get(fraud.columns().indexOf("calls"))).longValue()).isEqualTo(25);

    Evidence silent = firing(LocalDate.of(2026, 11, 3)).get(AlarmRule.SILENT_CONNECTOR);
    Set<Integer> hours = new TreeSet<>();
    int start = silent.columns().indexOf("period_start");
    for (List<Object> r : silent.rows()) {
      hours.add(Integer.parseInt(r.get(start).toString().substring(11, 13)));
    }
    assertThat(hours).isSubsetOf(14, 15, 16, 17).isNotEmpty();

    Evidence spend = firing(LocalDate.of(2026, 11, 2)).get(AlarmRule.SPEND_SPIKE);
    assertThat(spend.rows()).hasSize(1);
    assertThat(spend.rows().get(0).get(0)).isEqualTo(CdrGenerator.SPEND_COUNTRY);
  }

  @Test
  void aNewCountryFiresWithoutTheHighRiskList() {
    AlarmDefinition plain = AlarmDefinition.of("new-countries", AlarmRule.IRSF);
    LocalDate day = LocalDate.of(2026, 10, 31);
    try (QueryEngine q = pipeline.query()) {
      Evidence e =
          Alarms.test(
              q,
              plain,
              day.atStartOfDay(ZoneOffset.UTC).toInstant(),
              day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
      assertThat(e.rows()).hasSize(1);
      assertThat(e.rows().get(0).get(e.columns().indexOf("reason"))).isEqualTo("new country");
    }
  }

  @Test
  void cleanDaysRaiseNoAlarm() {
    for (LocalDate d = LAST_CLEAN.minusDays(6); !d.isAfter(LAST_CLEAN); d = d.plusDays(1)) {
      assertThat(firing(d).keySet()).as("rules firing on the clean day %s", d).isEmpty();
    }
  }

  @Test
  void aFiringIsRecordedOnceToldOnceAndResolvedOnce() {
    Subscription hook =
        new Subscription.Webhook(
            java.net.URI.create(
                "http://"
                    + hooks.getAddress().getHostString()
                    + ":"
                    + hooks.getAddress().getPort()
                    + "/alarm"),
            Optional.empty(),
            "X-Cdr-Secret");
    AlarmDefinition failures =
        new AlarmDefinition(
            "trunk-failures",
            AlarmRule.FAILURE_RATE,
            Map.of("rate", 0.5),
            List.of(),
            List.of(),
            List.of(hook));
    AlarmStore store = new AlarmStore(pipeline.database);
    Alarms alarms =
        new Alarms(
            List.of(failures), store, pipeline::query, Alarms.Topics.standard(), Clock.systemUTC());
    LocalDate trunk = LocalDate.of(2026, 10, 29);
    int before = delivered.size();

    assertThat(alarms.evaluate(List.of(LAST_CLEAN)).get(0).change())
        .isEqualTo(AlarmStore.Change.QUIET);
    Alarms.Outcome fired = alarms.evaluate(List.of(trunk)).get(0);
    assertThat(fired.change()).isEqualTo(AlarmStore.Change.FIRED);
    assertThat(fired.deliveries())
        .singleElement()
        .satisfies(d -> assertThat(d.delivered()).isTrue());
    // evaluated again (a watch batch after the daily ETL): still one firing, not told again
    Alarms.Outcome again = alarms.evaluate(List.of(trunk)).get(0);
    assertThat(again.change()).isEqualTo(AlarmStore.Change.STILL_FIRING);
    assertThat(again.deliveries()).isEmpty();
    assertThat(store.list(Optional.of(AlarmFiring.State.FIRING), 10)).hasSize(1);
    AlarmFiring open = store.open("trunk-failures").orElseThrow();
    assertThat(open.connectors()).containsExactly(firstConnector);
    assertThat(open.evidence().query()).contains("processed_cdrs");
    assertThat(open.windowFrom()).isEqualTo(trunk.atStartOfDay(ZoneOffset.UTC).toInstant());

    // the next day is clean: resolved, told once
    Alarms.Outcome resolved = alarms.evaluate(List.of(trunk.plusDays(1))).get(0);
    assertThat(resolved.change()).isEqualTo(AlarmStore.Change.RESOLVED);
    assertThat(resolved.deliveries()).hasSize(1);
    assertThat(alarms.evaluate(List.of(trunk.plusDays(1))).get(0).deliveries()).isEmpty();

    assertThat(delivered.subList(before, delivered.size()))
        .extracting(n -> n.path("status").asText())
        .containsExactly("FIRING", "RESOLVED");
    AlarmFiring done = store.get(open.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(AlarmFiring.State.RESOLVED);
    assertThat(done.resolvedAt()).isPresent();
    assertThat(done.acknowledged()).isFalse();
    assertThat(store.acknowledge(open.id(), "ops", Instant.now())).isTrue();
    assertThat(store.get(open.id()).orElseThrow().acknowledgedBy()).contains("ops");
    assertThat(store.acknowledge("a-missing", "ops", Instant.now())).isFalse();
  }

  @Test
  void todayIsEvaluatedUpToNowOnly() {
    LocalDate day = LocalDate.of(2026, 11, 3); // no call of the first connector from 14:00 to 18:00
    AlarmStore store = new AlarmStore(pipeline.database);
    AlarmDefinition silent = AlarmDefinition.of("silent-today", AlarmRule.SILENT_CONNECTOR);
    java.util.function.Function<String, Alarms> at =
        time ->
            new Alarms(
                List.of(silent),
                store,
                pipeline::query,
                Alarms.Topics.standard(),
                Clock.fixed(Instant.parse(time), ZoneOffset.UTC));
    // at noon the silence has not begun: the afternoon to come is not silent
    Alarms.Outcome noon = at.apply("2026-11-03T12:00:00Z").evaluate(List.of(day)).get(0);
    assertThat(noon.change()).isEqualTo(AlarmStore.Change.QUIET);
    assertThat(noon.to()).isEqualTo(Instant.parse("2026-11-03T12:00:00Z"));
    // at 16:30 two whole silent hours have passed
    Alarms.Outcome later = at.apply("2026-11-03T16:30:00Z").evaluate(List.of(day)).get(0);
    assertThat(later.change()).isEqualTo(AlarmStore.Change.FIRED);
    Evidence e = later.firing().orElseThrow().evidence();
    int start = e.columns().indexOf("period_start");
    assertThat(e.rows())
        .extracting(r -> r.get(start).toString().substring(11, 16))
        .containsExactly("14:00", "15:00");
    // a day still to come is not evaluated
    assertThat(at.apply("2026-11-03T16:30:00Z").evaluate(List.of(day.plusDays(1)))).isEmpty();
  }
}
