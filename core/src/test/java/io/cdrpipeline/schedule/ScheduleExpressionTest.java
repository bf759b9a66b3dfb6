package io.cdrpipeline.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleExpressionTest {
  @ParameterizedTest(name = "{0} after {1} is {2}")
  @CsvSource({
    "cron(0 9 * * ? *),          2026-11-27T08:59:59Z, 2026-11-27T09:00:00Z",
    "cron(0 9 * * ? *),          2026-11-27T09:00:00Z, 2026-11-28T09:00:00Z",
    "cron(0 12 2 * ? *),         2026-11-30T00:00:00Z, 2026-12-02T12:00:00Z",
    "cron(0 12 2 * ? *),         2026-12-02T12:00:00Z, 2027-01-02T12:00:00Z",
    "cron(15 10 ? * MON-FRI *),  2026-11-28T00:00:00Z, 2026-11-30T10:15:00Z",
    "cron(0 18 ? * 6L 2027),     2026-01-01T00:00:00Z, 2027-01-29T18:00:00Z",
    "cron(0/30 * * * ? *),       2026-11-27T10:10:00Z, 2026-11-27T10:30:00Z",
    "rate(5 minutes),            2026-11-27T10:02:00Z, 2026-11-27T10:05:00Z",
    "rate(1 hour),               2026-11-27T10:00:00Z, 2026-11-27T11:00:00Z",
    "rate(2 seconds),            2026-11-27T10:00:01Z, 2026-11-27T10:00:02Z",
  })
  void translatesEventBridgeSyntax(String expr, String after, String next) {
    assertThat(ScheduleExpression.parse(expr).nextAfter(Instant.parse(after)))
        .isEqualTo(Instant.parse(next));
  }

  @Test
  void cronBecomesQuartzWithSeconds() {
    ScheduleExpression.Cron c =
        (ScheduleExpression.Cron) ScheduleExpression.parse("cron(0 9 * * ? *)");
    assertThat(c.quartz()).isEqualTo("0 0 9 * * ? *");
    assertThat(((ScheduleExpression.Rate) ScheduleExpression.parse("rate(1 day)")).every())
        .isEqualTo(Duration.ofDays(1));
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(
      strings = {
        "cron(0 9 * * *)",
        "cron(0 9 * * * *)",
        "cron(61 9 * * ? *)",
        "cron(0 25 * * ? *)",
        "cron(0 9 * 13 ? *)",
        "rate(0 minutes)",
        "rate(5 weeks)",
        "every day",
        "",
        "0 9 * * ?",
        // Quartz itself takes two-digit values out of range (minute 99 fires every minute)
        "cron(99 99 * * ? *)",
        "cron(99 9 * * ? *)",
        "cron(0 99 * * ? *)",
        "cron(5,99 9 * * ? *)",
        "cron(0 9 ? * 0 *)",
        "cron(0 9 0 * ? *)",
        "cron(0 9 * * ? 1969)",
        "cron(0 9 * * ? 2200)",
        "cron(0 9 ? * 2#6 *)",
        "cron(0/0 9 * * ? *)",
        "cron(0 9 * 0 ? *)",
        "cron(0 9 * 1-13 ? *)",
        "cron(0 9 ? * 1-99 *)",
        "rate(99999999999999999999 minutes)",
        "rate(3651 days)",
        "rate(999999999 hours)"
      })
  void invalidExpressionsAreRefusedWithAReason(String expr) {
    assertThatThrownBy(() -> ScheduleExpression.parse(expr))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n"));
  }

  @ParameterizedTest(name = "accepted: {0}")
  @ValueSource(
      strings = {
        "cron(59 23 31 12 ? 2199)",
        "cron(0 0 1 1 ? 1970)",
        "cron(0 23 L * ? *)",
        "cron(0 9 ? * 2#1 *)",
        "cron(0 9 15W * ? *)",
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 9 1 JAN-DEC ? *)",
        "cron(0,30 0 * * ? 2026/2)",
        "rate(3650 days)",
        "rate(1 seconds)"
      })
  void boundaryValuesAreAccepted(String expr) {
    assertThat(ScheduleExpression.parse(expr).text()).isEqualTo(expr);
  }
}
