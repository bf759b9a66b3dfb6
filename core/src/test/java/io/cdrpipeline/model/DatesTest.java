package io.cdrpipeline.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.YearMonth;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one reader of days and months: four-digit years from 2000 to 2099, one line for every
 * mistake.
 */
class DatesTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "-2026-11-02   | x: invalid date '-2026-11-02': expected YYYY-MM-DD, e.g. 2026-11-27",
        "+12026-11-02  | x: invalid date '+12026-11-02': expected YYYY-MM-DD, e.g. 2026-11-27",
        "0000-01-01    | x: 0000-01-01 is out of range: the year must be from 2000 to 2099",
        "1999-12-31    | x: 1999-12-31 is out of range: the year must be from 2000 to 2099",
        "2100-01-01    | x: 2100-01-01 is out of range: the year must be from 2000 to 2099",
        "2026-02-29    | x: 2026-02-29 does not exist: February 2026 has 28 days",
        "2026-13-01    | x: 2026-13-01 does not exist: there is no month 13 (01 to 12)",
        "2026-1-01     | x: invalid date '2026-1-01': expected YYYY-MM-DD, e.g. 2026-11-27",
        "27/11/2026    | x: invalid date '27/11/2026': expected YYYY-MM-DD, e.g. 2026-11-27",
      })
  void aDayOutsideTheRuleIsOneLine(String value, String message) {
    assertThatThrownBy(() -> Dates.day("x", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "-2026-11      | m: invalid month '-2026-11': expected YYYY-MM, e.g. 2026-10",
        "+12026-11     | m: invalid month '+12026-11': expected YYYY-MM, e.g. 2026-10",
        "0000-01       | m: 0000-01 is out of range: the year must be from 2000 to 2099",
        "2026-00       | m: 2026-00 does not exist: there is no month 00 (01 to 12)",
      })
  void aMonthOutsideTheRuleIsOneLine(String value, String message) {
    assertThatThrownBy(() -> Dates.month("m", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @org.junit.jupiter.api.Test
  void daysAndMonthsWithinTheRuleAreRead() {
    assertThat(Dates.day("x", " 2024-02-29 ")).isEqualTo(LocalDate.of(2024, 2, 29));
    assertThat(Dates.day("x", "2000-01-01")).isEqualTo(LocalDate.of(2000, 1, 1));
    assertThat(Dates.day("x", "2099-12-31")).isEqualTo(LocalDate.of(2099, 12, 31));
    assertThat(Dates.month("m", "2026-10")).isEqualTo(YearMonth.of(2026, 10));
    // a day an older version committed by mistake can still be named, to be dropped
    assertThat(Dates.storedDay("x", "-2026-11-02")).isEqualTo(LocalDate.of(-2026, 11, 2));
    assertThat(Dates.storedDay("x", "+12026-11-02")).isEqualTo(LocalDate.of(12026, 11, 2));
    assertThat(Dates.storedDay("x", "0000-01-01")).isEqualTo(LocalDate.of(0, 1, 1));
    assertThat(Dates.storedDay("x", "2026-11-02")).isEqualTo(LocalDate.of(2026, 11, 2));
    assertThatThrownBy(() -> Dates.storedDay("x", "2026-11-31"))
        .hasMessage("x: 2026-11-31 does not exist: November 2026 has 30 days");
    assertThatThrownBy(() -> Dates.storedDay("x", "soon"))
        .hasMessage("x: invalid date 'soon': expected YYYY-MM-DD, e.g. 2026-11-27");
  }
}
