package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.cdrpipeline.generate.CdrGenerator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms end to end from the command line: generated weeks with a failing trunk injected, the daily
 * workflow's alarms step firing and then resolving it, one webhook call per change, and {@code cdr
 * alarms list|show|test}.
 */
class AlarmsCliTest {
  @TempDir Path dir;

  CliRun cdr(String... args) {
    return CliRun.in(dir, new HashMap<>(), args);
  }

  @Test
  void theDailyWorkflowFiresAndResolvesAnAlarmToldOncePerChange() throws Exception {
    List<JsonNode> told = new CopyOnWriteArrayList<>();
    ObjectMapper json = new ObjectMapper();
    HttpServer hook =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hook.createContext(
        "/",
        x -> {
          try (x) {
            told.add(
                json.readTree(
                    new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            x.sendResponseHeaders(204, -1);
          }
        });
    hook.start();
    try {
      Files.writeString(
          dir.resolve("cdr.yaml"),
          "alarms:\n"
              + "  - name: trunk\n"
              + "    rule: failure-rate\n"
              + "    subscribers:\n"
              + "      - type: webhook\n"
              + "        url: http://127.0.0.1:"
              + hook.getAddress().getPort()
              + "/hook\n");
      CliRun gen =
          cdr("generate", "--date", "2026-10-27", "--days", "7", "--calls", "200", "--seed", "5");
      assertThat(gen.code()).as(gen.err()).isZero();
      assertThat(gen.out()).contains("wrote 1400 CDR files for 2026-10-27 to 2026-11-02");
      CliRun bad = cdr("generate", "--date", "2026-11-03", "--calls", "10", "--inject", "meteor");
      assertThat(bad.code()).isEqualTo(2);
      assertThat(bad.err()).contains("--inject: unknown anomaly 'meteor'");
      CliRun trunk =
          cdr(
              "generate",
              "--date",
              "2026-11-03",
              "--calls",
              "200",
              "--seed",
              "5",
              "--inject",
              "failing-trunk");
      assertThat(trunk.out())
          .contains("injected on " + CdrGenerator.connectorIds(2, 5).get(0) + ": failing-trunk");
      assertThat(cdr("generate", "--date", "2026-11-04", "--calls", "200", "--seed", "5").code())
          .isZero();
      assertThat(cdr("crawl", "raw").code()).isZero();
      assertThat(cdr("etl", "--full").code()).isZero();

      CliRun fired = cdr("start", "daily", "--date", "2026-11-03");
      assertThat(fired.code()).as(fired.err()).isZero();
      assertThat(fired.out()).contains("step alarms succeeded");
      assertThat(told).hasSize(1);
      assertThat(told.get(0).path("status").asText()).isEqualTo("FIRING");
      assertThat(told.get(0).path("subject").asText())
          .isEqualTo("ALARM firing: trunk (failure-rate)");
      assertThat(told.get(0).path("message").asText())
          .contains(CdrGenerator.connectorIds(2, 5).get(0));

      // the same day again: still firing, not told again
      assertThat(cdr("start", "daily", "--date", "2026-11-03").code()).isZero();
      assertThat(told).hasSize(1);

      CliRun firing = cdr("alarms", "list", "--state", "firing");
      assertThat(firing.out()).contains("trunk", "failure-rate", "FIRING");
      String id = firing.out().lines().skip(1).findFirst().orElseThrow().split(" ")[0];
      CliRun show = cdr("alarms", "show", id);
      assertThat(show.out())
          .contains(
              "alarm:      trunk", "state:      FIRING", "failure_rate", "FROM processed_cdrs")
          .contains("window:     2026-11-03T00:00:00Z to 2026-11-04T00:00:00Z");

      // a clean day: resolved, told once
      assertThat(cdr("start", "daily", "--date", "2026-11-04").code()).isZero();
      assertThat(told)
          .extracting(n -> n.path("status").asText())
          .containsExactly("FIRING", "RESOLVED");
      assertThat(cdr("alarms", "list", "--state", "RESOLVED").out()).contains(id);
      assertThat(cdr("alarms", "list", "--state", "FIRING").out()).contains("(no alarm firings)");

      // test: a past window, nothing recorded or told
      CliRun test = cdr("alarms", "test", "trunk", "--from", "2026-11-03", "--to", "2026-11-04");
      assertThat(test.code()).as(test.err()).isZero();
      assertThat(test.out()).contains("trunk (failure-rate)", "FIRES", "failure_rate");
      CliRun quiet =
          cdr("alarms", "test", "wangiri", "--from", "2026-11-03T00:00", "--to", "2026-11-04");
      assertThat(quiet.out()).contains("does not fire", "rows: (none)");
      assertThat(told).hasSize(2);
      assertThat(cdr("alarms", "list").out().lines().count()).isEqualTo(2); // header and one firing
      CliRun unknown = cdr("alarms", "test", "meteor");
      assertThat(unknown.code()).isEqualTo(2);
      assertThat(unknown.err())
          .contains("unknown alarm or rule 'meteor' (configured alarms: trunk;");
      assertThat(cdr("alarms", "test", "irsf", "--from", "2026-11-04", "--to", "2026-11-03").err())
          .contains("--from must be before --to");
      assertThat(cdr("alarms", "show", "a-nothere").err()).contains("no alarm firing 'a-nothere'");
    } finally {
      hook.stop(0);
    }
  }
}
