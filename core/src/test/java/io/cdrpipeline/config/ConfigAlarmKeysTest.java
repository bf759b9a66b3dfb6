package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.alarm.AlarmDefinition;
import io.cdrpipeline.alarm.AlarmRule;
import io.cdrpipeline.notify.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code alarms:} list. */
class ConfigAlarmKeysTest {
  @TempDir Path dir;

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void noAlarmsByDefault() throws Exception {
    assertThat(load("").alarms()).isEmpty();
  }

  @Test
  void anAlarmTakesItsRuleThresholdsConnectorsAndSubscribers() throws Exception {
    Config c =
        load(
            """
            notifications:
              - type: log
            alarms:
              - name: trunk-failures
                rule: failure-rate
                thresholds: {rate: 0.5, minCalls: 10}
                connectors: [abcdef1ghij2klmno3pqr4]
                subscribers:
                  - type: webhook
                    url: http://localhost:9/hook
              - name: fraud
                rule: irsf
                highRiskPrefixes: ['+882', '881']
            """);
    assertThat(c.alarms()).hasSize(2);
    AlarmDefinition a = c.alarms().get(0);
    assertThat(a.rule()).isEqualTo(AlarmRule.FAILURE_RATE);
    assertThat(a.threshold("rate")).isEqualTo(0.5);
    assertThat(a.threshold("minCalls")).isEqualTo(10);
    assertThat(a.threshold("baselineFactor")).isEqualTo(3); // the default
    assertThat(a.connectors()).containsExactly("abcdef1ghij2klmno3pqr4");
    assertThat(a.subscribers()).singleElement().isInstanceOf(Subscription.Webhook.class);
    AlarmDefinition fraud = c.alarms().get(1);
    assertThat(fraud.highRiskPrefixes()).containsExactly("+882", "+881");
    assertThat(fraud.connectors()).isEmpty();
    // without subscribers of its own: those of notifications
    assertThat(fraud.subscribers()).containsExactly(new Subscription.Log());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "- {rule: wangiri}|missing 'alarms[0].name'",
        "- {name: x}|missing 'alarms[0].rule'",
        "- {name: x, rule: fraud}|bad value for 'alarms[0].rule'",
        "- {name: x, rule: wangiri, thresholds: {rate: 0.3}}|unknown key 'alarms[0].thresholds.rate'",
        "- {name: x, rule: failure-rate, thresholds: {rate: 1.5}}|expected a fraction from 0 to 1",
        "- {name: x, rule: failure-rate, thresholds: {rate: high}}|expected a number, got 'high'",
        "- {name: x, rule: silent-connector, thresholds: {minutes: 7}}|divide a day",
        "- {name: x, rule: silent-connector, thresholds: {minutes: 2.5}}|expected a whole number",
        "- {name: x, rule: wangiri, highRiskPrefixes: ['+882']}|only the irsf rule",
        "- {name: x, rule: irsf, highRiskPrefixes: ['+88a']}|not a number prefix",
        "- {name: x, rule: irsf, connectors: ['a b']}|not a voice connector id",
        "- {name: x, rule: irsf, severity: high}|unknown key 'alarms[0].severity'",
        "- {name: x, rule: irsf, subscribers: [{type: pager}]}|alarms[0].subscribers[0].type",
        "[{name: x, rule: irsf}, {name: x, rule: wangiri}]|names another alarm too",
      })
  void mistakesAreOneLineNamingTheKey(String alarms, String message) {
    assertThatThrownBy(() -> load("alarms:\n  " + alarms.replace("\n", "\n  ") + "\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
