package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.schedule.ScheduleExpression;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of workflows, schedules, notifications, links and the server. */
class ConfigWorkflowKeysTest {
  @TempDir Path dir;

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void defaultsAreTheOriginalsSchedulesAndTimeouts() throws Exception {
    Config c = load("");
    assertThat(c.schedules()).containsOnlyKeys("daily", "monthlyReport");
    assertThat(((ScheduleExpression.Cron) c.schedules().get("daily")).quartz())
        .isEqualTo("0 0 9 * * ? *");
    assertThat(((ScheduleExpression.Cron) c.schedules().get("monthlyReport")).quartz())
        .isEqualTo("0 0 12 2 * ? *");
    assertThat(c.timeouts().daily()).isEqualTo(Duration.ofHours(8));
    assertThat(c.timeouts().full()).isEqualTo(Duration.ofHours(8));
    assertThat(c.timeouts().report()).isEqualTo(Duration.ofHours(3));
    assertThat(c.linkExpiry()).isEqualTo(Duration.ofHours(1));
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.notifications()).isEmpty();
    assertThat(c.backfill()).isTrue();
    assertThat(c.s3().maxConcurrency()).isEqualTo(64);
    assertThat(c.s3().endpoint()).isEmpty();
    assertThat(c.queryCacheBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
  }

  @Test
  void etlMaxShrinkIsAPercentageAndBackfillDaysABoundedWindow() throws Exception {
    Config c = load("");
    assertThat(c.etl().maxShrink()).hasToString("50%");
    assertThat(c.backfillDays()).isEqualTo(7);
    Config set = load("etl: {maxShrink: 12.5%}\nbackfillDays: 60\n");
    assertThat(set.etl().maxShrink()).hasToString("12.5%");
    assertThat(set.etl().maxShrink().exceededBy(8, 7)).isFalse(); // exactly 12.5% fewer
    assertThat(set.etl().maxShrink().exceededBy(9, 7)).isTrue();
    assertThat(set.backfillDays()).isEqualTo(60);
    assertThat(load("etl:\n  maxShrink: 100%\n").etl().maxShrink().exceededBy(10, 1)).isFalse();
    assertThat(load("etl:\n  maxShrink: 0%\n").etl().maxShrink().exceededBy(10, 9)).isTrue();
    for (String bad :
        new String[] {"0.5", "50", "'150%'", "'-5%'", "half", "'50 percent'", "[50%]"}) {
      assertThatThrownBy(() -> load("etl: {maxShrink: " + bad + "}\n"))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("bad value for 'etl.maxShrink' in ")
          .hasMessageContaining(": expected a percentage from 0% to 100%, e.g. 50%, got ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    assertThatThrownBy(() -> load("etl: {maxshrink: 50%}\n"))
        .hasMessageContaining("unknown key 'etl.maxshrink'");
    for (String bad : new String[] {"0", "3651", "-1"}) {
      assertThatThrownBy(() -> load("backfillDays: " + bad + "\n"))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("bad value for 'backfillDays'")
          .hasMessageContaining(
              "(expected 1 to 3650 days; " + "'backfill: false' turns backfill off)");
    }
    assertThatThrownBy(() -> load("backfillDays: week\n"))
        .hasMessageContaining("'backfillDays'")
        .hasMessageContaining("expected a whole number, got 'week'");
  }

  @Test
  void theS3BlockIsRead() throws Exception {
    Config c =
        load(
            "cdrBucket: s3://cdrs/in\ns3: {endpoint: 'http://127.0.0.1:9000', region: eu-west-1, maxConcurrency: 128}\n"
                + "queryCacheSize: 512MB\n");
    assertThat(c.cdrBucket()).isEqualTo(new io.cdrpipeline.store.StoreLocation.S3("cdrs", "in"));
    assertThat(c.s3().endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    assertThat(c.s3().pathStyle()).isTrue();
    assertThat(c.s3().region()).contains("eu-west-1");
    assertThat(c.s3().maxConcurrency()).isEqualTo(128);
    assertThat(c.queryCacheBytes()).isEqualTo(512_000_000L);
    assertThatThrownBy(() -> load("s3: {maxConcurrency: 0}"))
        .hasMessageContaining("s3.maxConcurrency");
    assertThatThrownBy(() -> load("s3: {endpoint: 'localhost:9000'}"))
        .hasMessageContaining("s3.endpoint");
    assertThatThrownBy(() -> load("s3: {endpiont: 'http://x'}")).hasMessageContaining("endpiont");
    assertThatThrownBy(() -> load("queryCacheSize: lots")).hasMessageContaining("queryCacheSize");
  }

  @Test
  void everyKeyIsRead() throws Exception {
    Config c =
        load(
            """
        schedules:
          daily: cron(30 6 * * ? *)
          monthlyReport: off
          full: rate(7 days)
        timeouts: {daily: 2h, report: 90m}
        linkExpiry: 15m
        server: {host: 0.0.0.0, port: 9090, baseUrl: "https://cdr.example.com/"}
        backfill: false
        notifications:
          - {type: webhook, url: "https://hooks.example.com/cdr", secret: abc}
          - {type: log}
          - type: email
            host: smtp.example.com
            from: cdr@example.com
            to: [ops@example.com]
        """);
    assertThat(c.schedules()).containsOnlyKeys("daily", "full");
    assertThat(c.schedules().get("full")).isInstanceOf(ScheduleExpression.Rate.class);
    assertThat(c.timeouts().daily()).isEqualTo(Duration.ofHours(2));
    assertThat(c.timeouts().report()).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.timeouts().full()).isEqualTo(Duration.ofHours(8));
    assertThat(c.linkExpiry()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.server())
        .isEqualTo(new ServerSettings("0.0.0.0", 9090, "https://cdr.example.com"));
    assertThat(c.backfill()).isFalse();
    assertThat(c.notifications()).hasSize(3);
    assertThat(c.notifications().get(0)).isInstanceOf(Subscription.Webhook.class);
    assertThat(c.notifications().get(2)).isInstanceOf(Subscription.Email.class);
  }

  @Test
  void boundsAreAccepted() throws Exception {
    assertThat(load("linkExpiry: 7d").linkExpiry()).isEqualTo(Duration.ofDays(7));
    assertThat(load("linkExpiry: 1s").linkExpiry()).isEqualTo(Duration.ofSeconds(1));
    assertThat(load("timeouts: {full: 365d}").timeouts().full()).isEqualTo(Duration.ofDays(365));
    assertThat(load("server: {port: 0, baseUrl: 'http://cdr.example.com'}").server().port())
        .isZero();
    assertThat(load("server: {host: '::1', port: 9000}").server().baseUrl())
        .isEqualTo("http://localhost:9000");
    assertThat(load("server: {host: 'fd00::5', port: 9000}").server().baseUrl())
        .isEqualTo("http://[fd00::5]:9000");
    assertThat(load("server: {host: cdr.internal}").server().baseUrl())
        .isEqualTo("http://cdr.internal:8080");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "schedules: {daily: 'cron(0 9 * * *)'}                 | schedules.daily",
        "schedules: {daily: 'every morning'}                   | schedules.daily",
        "schedules: {hourly: 'rate(1 hour)'}                   | schedules.hourly",
        "timeouts: {daily: soon}                               | timeouts.daily",
        "timeouts: {weekly: 2h}                                | timeouts.weekly",
        "linkExpiry: 0s                                        | linkExpiry",
        "server: {port: 70000}                                 | server.port",
        "server: {prot: 1}                                     | prot",
        "server: {baseUrl: 'ftp://x'}                          | server.baseUrl",
        "notifications: [{type: pager}]                        | notifications[0]",
        "notifications: [{type: webhook}]                      | notifications[0].url",
        // accepted before, and wrong later
        "schedules: {daily: 'cron(99 99 * * ? *)'}             | Minutes must be 0 to 59, not 99",
        "schedules: {daily: 'cron(0 99 * * ? *)'}              | Hours must be 0 to 23, not 99",
        "schedules: {full: 'cron(0 9 30 2 ? *)'}               | never fires",
        "schedules: {full: 'cron(0 9 * * ? 2020)'}             | never fires",
        "schedules: {full: 'rate(99999999999999999999 days)'}  | at most 3650 days",
        "linkExpiry: 100000000000h                             | out of range (1s to 7d)",
        "linkExpiry: 7d1s                                      | out of range (1s to 7d)",
        "linkExpiry: 999ms                                     | out of range (1s to 7d)",
        "linkExpiry: 99999999999999999999h                     | too long",
        "linkExpiry: P9999999999999999D                        | linkExpiry",
        "timeouts: {daily: 366d}                               | out of range (1ms to 365d)",
        "timeouts: {full: 99999999999999999h}                  | too long",
        "server: {port: 0}                                     | needs server.baseUrl",
        "server: {host: ''}                                    | server.host",
        "server: {host: 'a b'}                                 | server.host",
        "server: {host: '25:00'}                               | it is not an IPv6 address",
        "server: {host: not_a_host}                            | a host name has only letters, digits",
        "server: {host: '999.1.1.1'}                           | four numbers from 0 to 255",
        "server: {baseUrl: 'http://not_a_host:8080'}           | server.baseUrl",
        "server: {token: 'short'}                              | too short to keep anyone out",
        "server: {baseUrl: 'https://cdr.example.com/?x=1'}     | server.baseUrl",
        "server: {baseUrl: 'https://cdr.example.com/#top'}     | server.baseUrl",
        "server: {baseUrl: 'http://:80'}                       | server.baseUrl",
        "s3: {endpoint: 'http://127.0.0.1:99999'}              | s3.endpoint",
        "s3: {endpoint: 'http://:9000'}                        | s3.endpoint",
        "s3: {endpoint: 'http://a b:9000'}                     | s3.endpoint",
      })
  void mistakesAreOneLineNamingTheKey(String yaml, String key) {
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(e.getMessage()).contains(key).doesNotContain("\n"));
  }
}
